package docker_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v141"
)

// pushed is what a push's progress stream says.
type pushed struct {
	digest   string
	statuses []string
}

// push pushes repo:tag with typed progress.
func push(t *testing.T, d *daemon, repo, tag string, auth *docker.AuthConfig) (pushed, error) {
	t.Helper()
	s, err := d.api.ImagePush(ctxTimeout(t, 2*time.Minute), repo, v141.ImagePushOptions{Tag: tag, RegistryAuth: auth})
	if err != nil {
		return pushed{}, err
	}
	var p pushed
	for m, err := range s.All() {
		if err != nil {
			return p, err
		}
		if m.Status != "" {
			p.statuses = append(p.statuses, m.Status)
		}
		if len(m.Aux) > 0 {
			var aux struct{ Tag, Digest string }
			if err := json.Unmarshal(m.Aux, &aux); err != nil {
				t.Fatalf("aux %s: %v", m.Aux, err)
			}
			p.digest = aux.Digest
		}
	}
	return p, nil
}

func pull(t *testing.T, d *daemon, repo, tag string, auth *docker.AuthConfig) error {
	t.Helper()
	s, err := d.api.ImageCreate(ctxTimeout(t, 2*time.Minute), v141.ImageCreateOptions{FromImage: repo, Tag: tag, RegistryAuth: auth})
	if err != nil {
		return err
	}
	return s.Wait()
}

// deleteFromRegistry removes a pushed manifest, so that the registry does
// not fill up with test images.
func deleteFromRegistry(t *testing.T, reg, repo, digest string, user, pass string) {
	t.Cleanup(func() {
		if digest == "" {
			return
		}
		req, _ := http.NewRequest(http.MethodDelete, "http://"+reg+"/v2/"+repo+"/manifests/"+digest, nil)
		// No idle connection left in http.DefaultClient: leakcheck would
		// count its goroutines when the test binary ends.
		req.Close = true
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	})
}

// TestRegistryPushPull: tag busybox for the loopback registry, push it
// with typed progress, remove the local tag, pull it back, and inspect its
// distribution manifest.
func TestRegistryPushPull(t *testing.T) {
	d := newDaemon(t)
	reg := testdaemon.Registry(t)
	tag := uniqueName("t")
	repo := reg + "/dockersdk-test/busybox"
	ctx := ctxTimeout(t, 2*time.Minute)
	if err := d.api.ImageTag(ctx, busybox, v141.ImageTagOptions{Repo: repo, Tag: tag}); err != nil {
		t.Fatal(err)
	}
	d.removeImage(t, repo+":"+tag)

	// No credential configured: ResolveCredentials gives an empty one for
	// the registry, which is what the daemon wants for an open registry.
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	auth, err := docker.ResolveCredentials(repo + ":" + tag)
	if err != nil || auth.ServerAddress != reg {
		t.Fatalf("credentials %v, %v", auth, err)
	}
	p, err := push(t, d, repo, tag, auth)
	if err != nil {
		t.Fatalf("push: %v (%v)", err, p.statuses)
	}
	deleteFromRegistry(t, reg, "dockersdk-test/busybox", p.digest, "", "")
	if !strings.HasPrefix(p.digest, "sha256:") || !strings.Contains(strings.Join(p.statuses, "\n"), tag+": digest: "+p.digest) {
		t.Fatalf("push progress %q, digest %q", p.statuses, p.digest)
	}

	if _, err := d.api.ImageDelete(ctx, repo+":"+tag, v141.ImageDeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pull(t, d, repo, tag, auth); err != nil {
		t.Fatalf("pull: %v", err)
	}
	img, err := d.api.ImageInspect(ctx, repo+":"+tag, v141.ImageInspectOptions{})
	if err != nil || !strings.Contains(strings.Join(img.RepoDigests, " "), p.digest) {
		t.Fatalf("pulled image digests %v, %v", img.RepoDigests, err)
	}

	dist, err := d.api.DistributionInspect(ctx, repo+":"+tag)
	if err != nil {
		t.Fatal(err)
	}
	if dist.Descriptor.Digest != p.digest || !strings.Contains(dist.Descriptor.MediaType, "manifest") || dist.Descriptor.Size == 0 {
		t.Fatalf("distribution %+v, pushed %s", dist.Descriptor, p.digest)
	}

	// A tag the registry lacks: the daemon reports it, before or inside
	// the 200.
	err = pull(t, d, repo, "missing-"+tag, nil)
	var se *docker.StreamError
	if err == nil || !(docker.IsNotFound(err) || errors.As(err, &se)) || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("pull of a missing tag: %#v", err)
	}
}

// htpasswdLine is user dockersdk with password trickyPassword, bcrypt
// (made with Python's crypt.crypt and METHOD_BLOWFISH).
const htpasswdLine = "dockersdk:$2b$05$8Nh9OCuKWk6W8staN.7hRuPi0DIuO0IsfiBLRMy0Fx0ZtYPbF6kGG\n"

// authRegistry starts a second registry, on 127.0.0.1:5099, that asks for
// basic auth (scripts/registry.sh --htpasswd), and stops it at the end. It
// runs only where the registry tests run (DOCKER_TEST_REGISTRY is set, as
// make test does), so that go test alone starts nothing.
func authRegistry(t *testing.T) string {
	t.Helper()
	testdaemon.Registry(t)
	if os.Getuid() != 0 {
		t.Skip("starting a registry with htpasswd auth needs root (scripts/registry.sh)")
	}
	if _, err := exec.LookPath("docker-registry"); err != nil {
		t.Skip("docker-registry is not installed")
	}
	dir := t.TempDir()
	htpasswd := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(htpasswdLine), 0o600); err != nil {
		t.Fatal(err)
	}
	const addr = "127.0.0.1:5099"
	env := append(os.Environ(), "DOCKERSDK_REGISTRY_ADDR="+addr, "DOCKERSDK_REGISTRY_DIR="+filepath.Join(dir, "registry"))
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command("/bin/sh", append([]string{"scripts/registry.sh"}, args...)...)
		cmd.Env = env
		return cmd.CombinedOutput()
	}
	if out, err := run("start", "--htpasswd", htpasswd); err != nil {
		if os.Getenv(testdaemon.EnvRequire) == "1" {
			t.Fatalf("scripts/registry.sh start --htpasswd: %v\n%s", err, out)
		}
		t.Skipf("cannot start a registry with htpasswd auth: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := run("stop"); err != nil {
			t.Errorf("stopping the auth registry: %v\n%s", err, out)
		}
	})
	return addr
}

// TestRegistryBasicAuth: a registry on loopback that wants a password.
// dockerd treats 127.0.0.0/8 as insecure, so basic auth goes over plain
// HTTP. The password encodes to standard base64 with '+' and '/': only
// base64url gets it through X-Registry-Auth. Without credentials, or with
// a wrong password, push and pull fail with the daemon's error.
func TestRegistryBasicAuth(t *testing.T) {
	d := newDaemon(t)
	reg := authRegistry(t)
	tag := uniqueName("t")
	repo := reg + "/dockersdk-test/private"
	ctx := ctxTimeout(t, 2*time.Minute)
	if err := d.api.ImageTag(ctx, busybox, v141.ImageTagOptions{Repo: repo, Tag: tag}); err != nil {
		t.Fatal(err)
	}
	d.removeImage(t, repo+":"+tag)

	// The credential comes from a docker CLI config, as users keep it.
	writeConfig(t, `{"auths":{"`+reg+`":{"auth":"`+base64.StdEncoding.EncodeToString([]byte("dockersdk:"+trickyPassword))+`"}}}`)
	auth, err := docker.ResolveCredentials(repo + ":" + tag)
	if err != nil || auth.Username != "dockersdk" || auth.Password != trickyPassword || auth.ServerAddress != reg {
		t.Fatalf("credentials %v, %v", auth, err)
	}

	_, err = push(t, d, repo, tag, &docker.AuthConfig{})
	var se *docker.StreamError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "basic auth") {
		t.Fatalf("push without credentials: %#v", err)
	}
	wrong := &docker.AuthConfig{Username: "dockersdk", Password: "wrong", ServerAddress: reg}
	if _, err := push(t, d, repo, tag, wrong); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Fatalf("push with a wrong password: %v", err)
	}

	p, err := push(t, d, repo, tag, auth)
	if err != nil {
		t.Fatalf("push with credentials: %v", err)
	}
	deleteFromRegistry(t, reg, "dockersdk-test/private", p.digest, "dockersdk", trickyPassword)
	if _, err := d.api.ImageDelete(ctx, repo+":"+tag, v141.ImageDeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pull(t, d, repo, tag, &docker.AuthConfig{}); err == nil {
		t.Fatal("pull without credentials succeeded")
	}
	if err := pull(t, d, repo, tag, auth); err != nil {
		t.Fatalf("pull with credentials: %v", err)
	}
	if _, err := d.api.ImageInspect(ctx, repo+":"+tag, v141.ImageInspectOptions{}); err != nil {
		t.Fatal(err)
	}
	// The daemon's errors name no secret either.
	if err := pull(t, d, repo, "missing", auth); err == nil || strings.Contains(err.Error(), trickyPassword) {
		t.Fatalf("pull of a missing tag: %v", err)
	}
}
