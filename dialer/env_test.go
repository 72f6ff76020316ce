package dialer

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// dockerConfig builds a $DOCKER_CONFIG directory with contexts, as
// `docker context create` lays them out.
type dockerConfig struct {
	t   *testing.T
	Dir string
}

func newDockerConfig(t *testing.T, currentContext string) *dockerConfig {
	t.Helper()
	c := &dockerConfig{t: t, Dir: t.TempDir()}
	if currentContext != "" {
		b, _ := json.Marshal(map[string]any{"auths": map[string]any{}, "currentContext": currentContext})
		writeFile(t, filepath.Join(c.Dir, "config.json"), b, 0o600)
	}
	return c
}

// context writes meta.json for a context with a docker endpoint.
func (c *dockerConfig) context(name, host string, skipTLSVerify bool) {
	c.t.Helper()
	meta := map[string]any{
		"Name":     name,
		"Metadata": map[string]any{"Description": "test"},
		"Endpoints": map[string]any{
			"docker": map[string]any{"Host": host, "SkipTLSVerify": skipTLSVerify},
		},
	}
	b, _ := json.Marshal(meta)
	c.metaRaw(name, b)
}

func (c *dockerConfig) metaRaw(name string, b []byte) {
	c.t.Helper()
	writeFile(c.t, filepath.Join(c.Dir, "contexts", "meta", contextDigest(name), "meta.json"), b, 0o644)
}

// tlsFiles writes the context's TLS files.
func (c *dockerConfig) tlsFiles(name string, p *testPKI, keyMode os.FileMode) {
	c.t.Helper()
	dir := filepath.Join(c.Dir, "contexts", "tls", contextDigest(name), "docker")
	writeFile(c.t, filepath.Join(dir, "ca.pem"), p.CAPEM, 0o644)
	writeFile(c.t, filepath.Join(dir, "cert.pem"), p.ClientPEM, 0o644)
	writeFile(c.t, filepath.Join(dir, "key.pem"), p.ClientKey, keyMode)
}

func TestContextDigest(t *testing.T) {
	// The directory names `docker context create NAME` uses.
	for name, want := range map[string]string{
		"remote":  "b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a",
		"default": "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f",
	} {
		if got := contextDigest(name); got != want {
			t.Errorf("contextDigest(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestDockerCLIContexts reads contexts made by the real docker CLI, when it
// is installed: `docker context create` and `docker context use` need no
// daemon.
func TestDockerCLIContexts(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("docker CLI not installed")
	}
	pki := newPKI(t)
	certs := pki.certDir(t, 0o600)
	cfgDir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(docker, args...)
		cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+cfgDir, "DOCKER_HOST=", "DOCKER_CONTEXT=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("context", "create", "remote", "--docker", "host=ssh://me@box:2222")
	run("context", "create", "secure", "--docker", "host=tcp://10.0.0.1:2376,ca="+filepath.Join(certs, "ca.pem")+
		",cert="+filepath.Join(certs, "cert.pem")+",key="+filepath.Join(certs, "key.pem"))
	run("context", "create", "insecure", "--docker", "host=tcp://10.0.0.2:2376,skip-tls-verify=true")
	run("context", "use", "remote")

	ep, err := FromEnvironment(mapEnv(map[string]string{"DOCKER_CONFIG": cfgDir}))
	if err != nil {
		t.Fatal(err)
	}
	if ep.Host != "ssh://me@box:2222" || ep.Context != "remote" || ep.SSH.User != "me" || ep.SSH.Port != "2222" {
		t.Errorf("current context: %v %+v", ep, ep.SSH)
	}

	ep, err = FromEnvironment(mapEnv(map[string]string{"DOCKER_CONFIG": cfgDir, "DOCKER_CONTEXT": "secure"}))
	if err != nil {
		t.Fatal(err)
	}
	if ep.Host != "tcp://10.0.0.1:2376" || ep.TLS == nil || ep.TLS.InsecureSkipVerify || ep.TLS.RootCAs == nil || len(ep.TLS.Certificates) != 1 {
		t.Errorf("TLS context: %v, TLS %+v", ep, ep.TLS)
	}
	if len(ep.Warnings) != 0 {
		t.Errorf("TLS context warnings: %q", ep.Warnings)
	}

	ep, err = FromEnvironment(mapEnv(map[string]string{"DOCKER_CONFIG": cfgDir, "DOCKER_CONTEXT": "insecure"}))
	if err != nil {
		t.Fatal(err)
	}
	if ep.TLS == nil || !ep.TLS.InsecureSkipVerify {
		t.Errorf("skip-tls-verify context: TLS %+v, want InsecureSkipVerify", ep.TLS)
	}
}

func TestFromEnvironment(t *testing.T) {
	pki := newPKI(t)
	cfg := newDockerConfig(t, "remote")
	cfg.context("remote", "ssh://me@box:2222", false)
	cfg.context("plain", "tcp://10.0.0.3:2375", false)
	cfg.context("tlsctx", "tcp://10.0.0.1:2376", false)
	cfg.tlsFiles("tlsctx", pki, 0o600)
	cfg.context("loosekey", "tcp://10.0.0.4", false)
	cfg.tlsFiles("loosekey", pki, 0o644)
	cfg.context("skipctx", "tcp://10.0.0.2:2376", true)
	cfg.context("unixctx", "unix:///run/user/1000/docker.sock", false)
	cfg.context("httpsctx", "https://docker.example.com", false)
	cfg.metaRaw("garbled", []byte("{not json"))
	cfg.metaRaw("noendpoint", []byte(`{"Name":"noendpoint","Endpoints":{"kubernetes":{"Host":"x"}}}`))
	cfg.context("badhost", "foo://x", false)

	defaultCfg := newDockerConfig(t, "default")
	cfg.context("default", "tcp://should-not-be-read:1", false)
	garbledCfg := t.TempDir()
	writeFile(t, filepath.Join(garbledCfg, "config.json"), []byte(`{"currentContext": `), 0o600)

	// A HOME whose ~/.docker has a current context.
	home := t.TempDir()
	homeCfg := filepath.Join(home, ".docker")
	writeFile(t, filepath.Join(homeCfg, "config.json"), []byte(`{"currentContext":"fromhome"}`), 0o600)
	b, _ := json.Marshal(map[string]any{"Name": "fromhome", "Endpoints": map[string]any{"docker": map[string]any{"Host": "tcp://home.example:2375"}}})
	writeFile(t, filepath.Join(homeCfg, "contexts", "meta", contextDigest("fromhome"), "meta.json"), b, 0o644)
	writeFile(t, filepath.Join(homeCfg, "ca.pem"), pki.CAPEM, 0o644) // default DOCKER_CERT_PATH

	certDir := pki.certDir(t, 0o600)
	emptyHome := t.TempDir()

	type want struct {
		host      string
		context   string
		tls       bool
		verify    bool
		clientKey bool
		rootCAs   bool
		sshArgs   []string
		warning   string
		err       string
	}
	tests := []struct {
		name string
		env  map[string]string
		want want
	}{
		{"nothing set", map[string]string{"HOME": emptyHome},
			want{host: DefaultHost}},
		{"no HOME at all", map[string]string{},
			want{host: DefaultHost}},
		{"DOCKER_HOST", map[string]string{"DOCKER_HOST": "tcp://1.2.3.4:2375", "HOME": emptyHome},
			want{host: "tcp://1.2.3.4:2375"}},
		{"DOCKER_HOST wins over currentContext", map[string]string{"DOCKER_HOST": "unix:///tmp/x.sock", "DOCKER_CONFIG": cfg.Dir},
			want{host: "unix:///tmp/x.sock"}},
		{"DOCKER_HOST wins over DOCKER_CONTEXT", map[string]string{"DOCKER_HOST": "tcp://1.2.3.4:2375", "DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": cfg.Dir},
			want{host: "tcp://1.2.3.4:2375"}},
		{"bad DOCKER_HOST", map[string]string{"DOCKER_HOST": "foo://x"},
			want{err: `unsupported scheme "foo" in DOCKER_HOST "foo://x"`}},
		{"currentContext from DOCKER_CONFIG", map[string]string{"DOCKER_CONFIG": cfg.Dir, "HOME": emptyHome},
			want{host: "ssh://me@box:2222", context: "remote"}},
		{"currentContext from HOME", map[string]string{"HOME": home},
			want{host: "tcp://home.example:2375", context: "fromhome"}},
		{"DOCKER_CONTEXT overrides currentContext", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "plain"},
			want{host: "tcp://10.0.0.3:2375", context: "plain"}},
		{"DOCKER_CONTEXT=default", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "default"},
			want{host: DefaultHost}},
		{"currentContext default", map[string]string{"DOCKER_CONFIG": defaultCfg.Dir},
			want{host: DefaultHost}},
		{"context with TLS files", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "tlsctx"},
			want{host: "tcp://10.0.0.1:2376", context: "tlsctx", tls: true, verify: true, clientKey: true, rootCAs: true}},
		{"context TLS key readable by others", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "loosekey"},
			want{host: "tcp://10.0.0.4:2376", context: "loosekey", tls: true, verify: true, clientKey: true, rootCAs: true, warning: "readable by group or others"}},
		{"context SkipTLSVerify", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "skipctx"},
			want{host: "tcp://10.0.0.2:2376", context: "skipctx", tls: true, verify: false}},
		{"context unix", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "unixctx", "DOCKER_TLS_VERIFY": "1"},
			want{host: "unix:///run/user/1000/docker.sock", context: "unixctx"}},
		{"context https", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "httpsctx"},
			want{host: "tcp://docker.example.com:2376", context: "httpsctx", tls: true, verify: true}},
		{"context ssh with DOCKERSDK_SSH_CONFIG", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKERSDK_SSH_CONFIG": "/etc/dialer/ssh_config"},
			want{host: "ssh://me@box:2222", context: "remote", sshArgs: []string{"-F", "/etc/dialer/ssh_config"}}},
		{"missing context", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "nosuch"},
			want{err: `Docker context "nosuch" (from DOCKER_CONTEXT) not found: ` + filepath.Join(cfg.Dir, "contexts", "meta", contextDigest("nosuch"), "meta.json") + " does not exist"}},
		{"garbled meta.json", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "garbled"},
			want{err: filepath.Join(cfg.Dir, "contexts", "meta", contextDigest("garbled"), "meta.json") + " is not valid JSON"}},
		{"meta.json without docker endpoint", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "noendpoint"},
			want{err: "has no Endpoints.docker.Host"}},
		{"context with bad host", map[string]string{"DOCKER_CONFIG": cfg.Dir, "DOCKER_CONTEXT": "badhost"},
			want{err: `unsupported scheme "foo" in DOCKER_HOST "foo://x"; use unix, tcp, ssh or npipe (from Docker context "badhost"`}},
		{"garbled config.json", map[string]string{"DOCKER_CONFIG": garbledCfg},
			want{err: filepath.Join(garbledCfg, "config.json") + " is not valid JSON"}},
		{"missing context named by config.json", map[string]string{"DOCKER_CONFIG": defaultCfg.Dir, "DOCKER_CONTEXT": "gone"},
			want{err: `"gone" (from DOCKER_CONTEXT) not found`}},

		// TLS variables with DOCKER_HOST.
		{"DOCKER_TLS_VERIFY with DOCKER_CERT_PATH", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir},
			want{host: "tcp://h:2376", tls: true, verify: true, clientKey: true, rootCAs: true}},
		{"DOCKER_TLS_VERIFY=0 still verifies", map[string]string{"DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "0", "DOCKER_CERT_PATH": certDir},
			want{host: "tcp://h:2376", tls: true, verify: true, clientKey: true, rootCAs: true}},
		{"DOCKER_TLS_VERIFY uses the config dir by default", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1", "HOME": home},
			want{host: "tcp://h:2376", tls: true, verify: true, rootCAs: true}},
		{"DOCKER_TLS_VERIFY with no cert files", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1", "HOME": emptyHome},
			want{host: "tcp://h:2376", tls: true, verify: true}},
		{"DOCKER_CERT_PATH alone verifies", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_CERT_PATH": certDir},
			want{host: "tcp://h:2376", tls: true, verify: true, clientKey: true, rootCAs: true}},
		{"DOCKER_TLS without verify", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS": "1", "DOCKER_CERT_PATH": certDir},
			want{host: "tcp://h:2376", tls: true, verify: false, clientKey: true, rootCAs: true}},
		{"DOCKER_TLS and DOCKER_TLS_VERIFY", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS": "1", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir},
			want{host: "tcp://h:2376", tls: true, verify: true, clientKey: true, rootCAs: true}},
		{"TLS variables ignored for unix", map[string]string{"DOCKER_HOST": "unix:///x.sock", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir},
			want{host: "unix:///x.sock"}},
		{"TLS variables ignored for ssh", map[string]string{"DOCKER_HOST": "ssh://box", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/nonexistent"},
			want{host: "ssh://box"}},
		{"https DOCKER_HOST", map[string]string{"DOCKER_HOST": "https://h", "HOME": emptyHome},
			want{host: "tcp://h:2376", tls: true, verify: true}},
		{"DOCKER_HOST ssh with DOCKERSDK_SSH_CONFIG", map[string]string{"DOCKER_HOST": "ssh://box", "DOCKERSDK_SSH_CONFIG": "/x/cfg"},
			want{host: "ssh://box", sshArgs: []string{"-F", "/x/cfg"}}},
		{"bad ca.pem", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": badCertDir(t, "ca")},
			want{err: "no PEM certificates in"}},
		{"cert without key", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": badCertDir(t, "nokey")},
			want{err: "has no key"}},
		{"key without cert", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": badCertDir(t, "nocert")},
			want{err: "has no certificate"}},
		{"mismatched key", map[string]string{"DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": badCertDir(t, "mismatch")},
			want{err: "loading TLS client certificate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := FromEnvironment(mapEnv(tt.env))
			w := tt.want
			if w.err != "" {
				if err == nil {
					t.Fatalf("got %v, want an error containing %q", ep, w.err)
				}
				if !strings.Contains(err.Error(), w.err) || !strings.HasPrefix(err.Error(), "dialer: ") {
					t.Fatalf("error %q, want it to contain %q", err, w.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ep.Host != w.host || ep.Context != w.context {
				t.Errorf("got host %q context %q, want %q %q", ep.Host, ep.Context, w.host, w.context)
			}
			if (ep.TLS != nil) != w.tls {
				t.Fatalf("TLS = %v, want TLS %v", ep.TLS != nil, w.tls)
			}
			if ep.TLS != nil {
				if ep.TLS.InsecureSkipVerify == w.verify {
					t.Errorf("InsecureSkipVerify = %v, want verify %v", ep.TLS.InsecureSkipVerify, w.verify)
				}
				if (len(ep.TLS.Certificates) > 0) != w.clientKey {
					t.Errorf("client certificates: %d, want %v", len(ep.TLS.Certificates), w.clientKey)
				}
				if (ep.TLS.RootCAs != nil) != w.rootCAs {
					t.Errorf("RootCAs set %v, want %v", ep.TLS.RootCAs != nil, w.rootCAs)
				}
			}
			var sshArgs []string
			if ep.SSH != nil {
				sshArgs = ep.SSH.ExtraArgs
			}
			if strings.Join(sshArgs, " ") != strings.Join(w.sshArgs, " ") {
				t.Errorf("ssh ExtraArgs = %q, want %q", sshArgs, w.sshArgs)
			}
			got := strings.Join(ep.Warnings, "\n")
			if (w.warning == "") != (got == "") || !strings.Contains(got, w.warning) {
				t.Errorf("warnings %q, want %q", got, w.warning)
			}
		})
	}
}

// badCertDir writes a cert directory with one kind of defect.
func badCertDir(t *testing.T, defect string) string {
	t.Helper()
	p := newPKI(t)
	dir := t.TempDir()
	switch defect {
	case "ca":
		writeFile(t, filepath.Join(dir, CAFile), []byte("not a certificate"), 0o644)
	case "nokey":
		writeFile(t, filepath.Join(dir, CertFile), p.ClientPEM, 0o644)
	case "nocert":
		writeFile(t, filepath.Join(dir, KeyFile), p.ClientKey, 0o600)
	case "mismatch":
		other := newPKI(t)
		writeFile(t, filepath.Join(dir, CertFile), p.ClientPEM, 0o644)
		writeFile(t, filepath.Join(dir, KeyFile), other.ClientKey, 0o600)
	}
	return dir
}

func TestFromEnv(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///tmp/dialer-test.sock")
	ep, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if ep.Host != "unix:///tmp/dialer-test.sock" {
		t.Errorf("FromEnv().Host = %q", ep.Host)
	}
	t.Setenv("DOCKER_HOST", "tcp://h:notaport")
	_, err = FromEnv()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Errorf("FromEnv with a bad DOCKER_HOST: %v, want a *ParseError", err)
	}
}
