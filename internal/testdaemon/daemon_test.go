package testdaemon

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// api talks to a daemon over its unix socket with plain net/http.
type api struct {
	t      *testing.T
	client *http.Client
}

func newAPI(t *testing.T, host string) *api {
	t.Helper()
	if !strings.HasPrefix(host, "unix://") {
		t.Skipf("these tests speak to a unix:// daemon, %s is %q", EnvHost, host)
	}
	sock := SocketPath(host)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &api{t: t, client: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// do sends a request and returns the response body; a status other than want fails the test.
func (a *api) do(method, path string, body io.Reader, header http.Header, want int) []byte {
	a.t.Helper()
	req, err := http.NewRequest(method, "http://docker"+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: %s, want %d: %s", method, path, resp.Status, want, data)
	}
	return data
}

func (a *api) json(method, path string, in any, want int, out any) {
	a.t.Helper()
	var body io.Reader
	h := http.Header{}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			a.t.Fatal(err)
		}
		body = bytes.NewReader(b)
		h.Set("Content-Type", "application/json")
	}
	data := a.do(method, path, body, h, want)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: decoding %s: %v", method, path, data, err)
		}
	}
}

// progress fails the test when a JSON progress stream (image create, push) carries an error.
func (a *api) progress(what string, stream []byte) {
	a.t.Helper()
	s := bufio.NewScanner(bytes.NewReader(stream))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if json.Unmarshal(s.Bytes(), &m) == nil && (m.Error != "" || m.ErrorDetail != nil) {
			a.t.Fatalf("%s: %s", what, s.Bytes())
		}
	}
}

func randomTag(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func TestHostAnswersPing(t *testing.T) {
	host := Host(t)
	a := newAPI(t, host)
	if !strings.HasPrefix(SocketPath(host), "/") {
		t.Errorf("SocketPath(%q) = %q, not an absolute path", host, SocketPath(host))
	}
	req, _ := http.NewRequest(http.MethodGet, "http://docker/_ping", nil)
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "OK" {
		t.Fatalf("GET /_ping: %s %q", resp.Status, body)
	}
	if v := resp.Header.Get("API-Version"); v == "" {
		t.Errorf("GET /_ping: no API-Version header")
	} else {
		t.Logf("%s speaks API %s", host, v)
	}
}

// TestBusyboxImageRuns imports BusyboxRootfs, runs sh, echo, id and cat in a container without a network, and
// pushes the image through Registry.
func TestBusyboxImageRuns(t *testing.T) {
	requireBusybox(t)
	a := newAPI(t, Host(t))
	rootfs, err := BusyboxRootfs()
	if err != nil {
		t.Fatal(err)
	}
	repo, tag := "dockersdk-testdaemon-busybox", randomTag(t)
	image := repo + ":" + tag
	q := url.Values{"fromSrc": {"-"}, "repo": {repo}, "tag": {tag}}
	a.progress("import", a.do(http.MethodPost, "/images/create?"+q.Encode(), bytes.NewReader(rootfs),
		http.Header{"Content-Type": {"application/x-tar"}}, http.StatusOK))
	t.Cleanup(func() { a.do(http.MethodDelete, "/images/"+image+"?force=1", nil, nil, http.StatusOK) })

	var created struct{ Id string }
	a.json(http.MethodPost, "/containers/create", map[string]any{
		"Image":      image,
		"Cmd":        []string{"sh", "-c", "echo hi && id -un && cat /etc/group && ls /tmp"},
		"HostConfig": map[string]any{"NetworkMode": "none"},
	}, http.StatusCreated, &created)
	t.Cleanup(func() { a.do(http.MethodDelete, "/containers/"+created.Id+"?force=1", nil, nil, http.StatusNoContent) })
	a.do(http.MethodPost, "/containers/"+created.Id+"/start", nil, nil, http.StatusNoContent)
	var waited struct{ StatusCode int }
	a.json(http.MethodPost, "/containers/"+created.Id+"/wait", nil, http.StatusOK, &waited)
	logs := a.do(http.MethodGet, "/containers/"+created.Id+"/logs?stdout=1&stderr=1", nil, nil, http.StatusOK)
	stdout, stderr := demux(t, logs)
	if waited.StatusCode != 0 || stdout != "hi\nroot\nroot:x:0:\n" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0, stdout %q", waited.StatusCode, stdout, stderr, "hi\nroot\nroot:x:0:\n")
	}

	t.Run("push to Registry", func(t *testing.T) {
		a := newAPI(t, Host(t))
		reg := Registry(t)
		remote := reg + "/dockersdk-testdaemon/busybox"
		a.do(http.MethodPost, "/images/"+image+"/tag?"+url.Values{"repo": {remote}, "tag": {tag}}.Encode(),
			nil, nil, http.StatusCreated)
		t.Cleanup(func() { a.do(http.MethodDelete, "/images/"+remote+":"+tag, nil, nil, http.StatusOK) })
		auth := base64.URLEncoding.EncodeToString([]byte("{}"))
		a.progress("push", a.do(http.MethodPost, "/images/"+remote+"/push?tag="+tag, nil,
			http.Header{"X-Registry-Auth": {auth}}, http.StatusOK))

		resp, err := http.Get("http://" + reg + "/v2/dockersdk-testdaemon/busybox/tags/list")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var list struct{ Tags []string }
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, t := range list.Tags {
			found = found || t == tag
		}
		if !found {
			t.Errorf("registry tags %v lack %s", list.Tags, tag)
		}
	})
}

// demux splits a non-TTY log stream: 8-byte headers (stream, 0, 0, 0, big-endian size), then the payload.
func demux(t *testing.T, b []byte) (stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("short frame header: %q", b)
		}
		n := int(binary.BigEndian.Uint32(b[4:8]))
		if len(b) < 8+n {
			t.Fatalf("frame of %d bytes, %d left", n, len(b)-8)
		}
		switch b[0] {
		case 1:
			out.Write(b[8 : 8+n])
		case 2:
			errOut.Write(b[8 : 8+n])
		default:
			t.Fatalf("unknown stream %d", b[0])
		}
		b = b[8+n:]
	}
	return out.String(), errOut.String()
}

func TestRegistryAnswers(t *testing.T) {
	reg := Registry(t)
	resp, err := http.Get("http://" + reg + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET http://%s/v2/: %s", reg, resp.Status)
	}
}
