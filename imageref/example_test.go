package imageref_test

import (
	"fmt"

	"github.com/dockerclient/docker/imageref"
)

func ExampleParse() {
	for _, s := range []string{"busybox", "user/app:1.0", "index.docker.io/library/busybox", "localhost:5000/app"} {
		ref, err := imageref.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-32s %-34s %s\n", s, ref.Normalized(), ref.Familiar())
	}
	_, err := imageref.Parse("Busybox")
	fmt.Println(err)
	// Output:
	// busybox                          docker.io/library/busybox:latest   busybox
	// user/app:1.0                     docker.io/user/app:1.0             user/app:1.0
	// index.docker.io/library/busybox  docker.io/library/busybox:latest   busybox
	// localhost:5000/app               localhost:5000/app:latest          localhost:5000/app
	// imageref: "Busybox": repository name must be lowercase
}

// Docker lists "busybox:latest" where Podman lists
// "docker.io/library/busybox:latest": Same says they are one image.
func ExampleSame() {
	same, err := imageref.Same("busybox:latest", "docker.io/library/busybox:latest")
	fmt.Println(same, err)
	same, err = imageref.Same("busybox", "quay.io/busybox")
	fmt.Println(same, err)
	// Output:
	// true <nil>
	// false <nil>
}

func ExampleReference_String() {
	ref, _ := imageref.Parse("busybox")
	fmt.Println(ref.String())     // as parsed: no tag added
	fmt.Println(ref.Normalized()) // as Docker pulls it
	fmt.Println(ref.Name())
	// Output:
	// docker.io/library/busybox
	// docker.io/library/busybox:latest
	// docker.io/library/busybox
}
