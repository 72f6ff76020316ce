package docker

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// DockerHubServer is the server address Docker Hub credentials are kept
// under, in config.json and in credential helpers, and the ServerAddress
// of a Docker Hub AuthConfig.
const DockerHubServer = "https://index.docker.io/v1/"

// ResolveCredentials returns the credential the docker CLI would use for
// the registry of image reference ref ("busybox", "ghcr.io/o/app:1",
// "localhost:5000/x"), read from $DOCKER_CONFIG/config.json (by default
// ~/.docker/config.json) and the credential helpers it names. It is
// CredentialStore{}.Resolve(context.Background(), ref).
//
// When nothing is configured for the registry it returns an AuthConfig with
// only ServerAddress set and a nil error: the daemon then pulls and pushes
// anonymously (ImagePush on some daemons requires the header, which such an
// AuthConfig provides).
func ResolveCredentials(ref string) (*AuthConfig, error) {
	return CredentialStore{}.Resolve(context.Background(), ref)
}

// CredentialStore reads registry credentials as the docker CLI stores them:
// config.json's "auths" (a base64 "user:password" in "auth", or
// "identitytoken"), "credHelpers" (a helper per registry) and "credsStore"
// (the helper for every other registry). A helper NAME is the program
// docker-credential-NAME on PATH, run as `docker-credential-NAME get` with
// the server address on stdin.
//
// Errors never hold a secret: neither the contents of config.json nor what
// a helper prints on success, and a failing helper's message only when it
// does not look like a credential.
type CredentialStore struct {
	// ConfigDir is the folder holding config.json. "" means $DOCKER_CONFIG,
	// or ~/.docker when that is unset.
	ConfigDir string
}

// Resolve returns the credential for the registry of image reference ref
// (see RegistryHost). Cancelling ctx stops a credential helper.
func (s CredentialStore) Resolve(ctx context.Context, ref string) (*AuthConfig, error) {
	return s.Lookup(ctx, RegistryHost(ref))
}

// Lookup returns the credential for a registry named by host ("docker.io",
// "localhost:5000") or server address ("https://index.docker.io/v1/",
// "https://localhost:5000"). Like ResolveCredentials, it returns an
// AuthConfig holding only ServerAddress when nothing is configured.
func (s CredentialStore) Lookup(ctx context.Context, server string) (*AuthConfig, error) {
	host := normalizeRegistry(server)
	addr := host
	if host == dockerHubHost {
		addr = DockerHubServer
	}
	cfg, path, err := s.load()
	if err != nil {
		return nil, err
	}

	helper := cfg.CredsStore
	for k, h := range cfg.CredHelpers {
		if normalizeRegistry(k) == host && h != "" {
			helper = h
			break
		}
	}
	if helper != "" {
		// The server address the helper was given by `docker login`: the
		// canonical one first, then any other spelling in "auths".
		tried := map[string]bool{}
		for _, key := range append([]string{addr}, cfg.authKeys(host)...) {
			if tried[key] {
				continue
			}
			tried[key] = true
			a, found, err := runCredentialHelper(ctx, helper, key)
			if err != nil {
				return nil, err
			}
			if found {
				a.ServerAddress = addr
				if e, ok := cfg.Auths[key]; ok && a.Email == "" {
					a.Email = e.Email
				}
				return a, nil
			}
		}
	}

	for _, key := range cfg.authKeys(host) {
		a, err := cfg.Auths[key].authConfig(path, key)
		if err != nil {
			return nil, err
		}
		if a.Username != "" || a.Password != "" || a.IdentityToken != "" || a.RegistryToken != "" {
			a.ServerAddress = addr
			return a, nil
		}
	}
	return &AuthConfig{ServerAddress: addr}, nil
}

// configDir returns the folder that holds config.json.
func (s CredentialStore) configDir() string {
	if s.ConfigDir != "" {
		return s.ConfigDir
	}
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".docker")
}

type cliConfig struct {
	Auths       map[string]cliAuth `json:"auths"`
	CredsStore  string             `json:"credsStore"`
	CredHelpers map[string]string  `json:"credHelpers"`
}

type cliAuth struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	Email         string `json:"email"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

// load reads config.json; a missing one is an empty configuration.
func (s CredentialStore) load() (*cliConfig, string, error) {
	dir := s.configDir()
	var cfg cliConfig
	if dir == "" {
		return &cfg, "", nil
	}
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &cfg, path, nil
	}
	if err != nil {
		return nil, path, fmt.Errorf("docker: reading registry credentials: %w", err)
	}
	if err := jsonwire.Unmarshal(b, &cfg); err != nil {
		// The JSON error could quote the file, which holds secrets.
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, path, fmt.Errorf("docker: reading registry credentials: %s is not valid JSON (at byte %d)", path, syn.Offset)
		}
		return nil, path, fmt.Errorf("docker: reading registry credentials: %s does not have the layout of a docker CLI config file", path)
	}
	return &cfg, path, nil
}

// authKeys returns the keys of "auths" that name host, an exact match
// first.
func (c *cliConfig) authKeys(host string) []string {
	var keys []string
	for k := range c.Auths {
		if normalizeRegistry(k) == host {
			if k == host || (host == dockerHubHost && k == DockerHubServer) {
				keys = append([]string{k}, keys...)
			} else {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func (e cliAuth) authConfig(path, key string) (*AuthConfig, error) {
	a := &AuthConfig{Username: e.Username, Password: e.Password, Email: e.Email,
		IdentityToken: e.IdentityToken, RegistryToken: e.RegistryToken}
	if e.Auth == "" {
		return a, nil
	}
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(strings.TrimSpace(e.Auth)); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("docker: reading registry credentials: the \"auth\" of %q in %s is not base64", key, path)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, fmt.Errorf("docker: reading registry credentials: the \"auth\" of %q in %s is not user:password", key, path)
	}
	a.Username, a.Password = user, pass
	return a, nil
}

// dockerHubHost is the canonical host RegistryHost gives Docker Hub.
const dockerHubHost = "docker.io"

// RegistryHost returns the registry host that image reference ref names,
// normalised as the docker CLI keys credentials: "docker.io" for Docker Hub
// ("busybox", "library/busybox", "docker.io/x", "index.docker.io/x",
// "registry-1.docker.io/x"), otherwise the reference's first component,
// lower-cased ("localhost:5000/x" gives "localhost:5000", "GHCR.io/o/x"
// gives "ghcr.io"). A server address with a scheme
// ("https://index.docker.io/v1/") gives its host, normalised the same way.
func RegistryHost(ref string) string {
	ref = strings.TrimSpace(ref)
	if strings.Contains(ref, "://") {
		return normalizeRegistry(ref)
	}
	first, _, ok := strings.Cut(ref, "/")
	if !ok {
		return dockerHubHost
	}
	// The first component is a registry when it looks like a host, as the
	// reference grammar decides.
	if strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
		return normalizeRegistry(first)
	}
	return dockerHubHost
}

// normalizeRegistry turns a config.json key, a server address or a host
// into a host: no scheme, no path, lower case, Docker Hub's names made one.
func normalizeRegistry(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	s, _, _ = strings.Cut(s, "/")
	switch s {
	case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return dockerHubHost
	}
	return s
}

// helperOutputLimit bounds what a credential helper may print.
const helperOutputLimit = 1 << 20

// runCredentialHelper runs `docker-credential-NAME get` for server.
// found is false when the helper says it has no credential for it.
func runCredentialHelper(ctx context.Context, name, server string) (a *AuthConfig, found bool, err error) {
	prog := "docker-credential-" + name
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, "-") || strings.ContainsRune(name, 0) {
		return nil, false, fmt.Errorf("docker: registry credentials: %q is not a credential helper name", name)
	}
	path, err := exec.LookPath(prog)
	if err != nil {
		return nil, false, fmt.Errorf("docker: registry credentials for %s: credential helper %s is not installed (not on PATH)", server, prog)
	}
	cmd := exec.CommandContext(ctx, path, "get")
	cmd.Stdin = strings.NewReader(server)
	stdout := &capBuffer{max: helperOutputLimit}
	stderr := &capBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stdout.String())
		if strings.Contains(msg, "credentials not found") {
			return nil, false, nil
		}
		if ctx.Err() != nil {
			return nil, false, fmt.Errorf("docker: registry credentials for %s: %s get: %w", server, prog, ctx.Err())
		}
		if msg == "" {
			msg = strings.TrimSpace(stderr.String())
		}
		return nil, false, fmt.Errorf("docker: registry credentials for %s: %s get failed (%v)%s", server, prog, err, helperMessage(msg))
	}
	var out struct {
		ServerURL string
		Username  string
		Secret    string
	}
	if stdout.overflow || jsonwire.Unmarshal(stdout.Bytes(), &out) != nil {
		// What it printed may hold the secret: say nothing of it.
		return nil, false, fmt.Errorf("docker: registry credentials for %s: %s get printed something other than a credential (not shown: it may hold secrets)", server, prog)
	}
	if out.Username == "" && out.Secret == "" {
		return nil, false, nil
	}
	a = &AuthConfig{ServerAddress: server}
	if out.Username == "<token>" {
		a.IdentityToken = out.Secret
	} else {
		a.Username, a.Password = out.Username, out.Secret
	}
	return a, true, nil
}

// helperMessage returns a failing helper's message for an error, unless it
// could be a credential.
func helperMessage(msg string) string {
	if msg == "" {
		return ""
	}
	lower := strings.ToLower(msg)
	if strings.ContainsAny(msg, "{}\"") || strings.Contains(lower, "secret") || strings.Contains(lower, "password") ||
		strings.Contains(lower, "token") {
		return ": its message is not shown, as it may hold secrets"
	}
	msg, _, _ = strings.Cut(msg, "\n")
	msg = cleanMessage(msg, nil)
	if len(msg) > 200 {
		cut := 200
		for !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	return ": " + msg
}

// capBuffer keeps the first max bytes written to it.
type capBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (b *capBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.overflow = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
