package gen

import "testing"

func TestMethodSentence(t *testing.T) {
	for _, c := range []struct{ name, summary, want string }{
		{"ContainerCreate", "Create a container", "ContainerCreate creates a container."},
		{"ContainerAttach", "Attach to a container", "ContainerAttach attaches to a container."},
		{"ImagePush", "Push an image.", "ImagePush pushes an image."},
		{"ImageSearch", "Search images", "ImageSearch searches images."},
		{"SystemPing", "Ping", "SystemPing: ping."},
		{"SystemDataUsage", "Data usage information", "SystemDataUsage: data usage information."},
		{"VolumeUpdate", `"Update a volume. Valid only for Swarm cluster volumes"`, "VolumeUpdate updates a volume. Valid only for Swarm cluster volumes."},
		{"Untold", "", "Untold"},
	} {
		if got := methodSentence(c.name, c.summary); got != c.want {
			t.Errorf("methodSentence(%q, %q) = %q, want %q", c.name, c.summary, got, c.want)
		}
	}
}
