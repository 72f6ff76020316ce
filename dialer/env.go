package dialer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// Environment variables read by FromEnv.
const (
	EnvHost      = "DOCKER_HOST"       // daemon address; wins over contexts
	EnvTLSVerify = "DOCKER_TLS_VERIFY" // any non-empty value: TLS, daemon verified
	EnvTLS       = "DOCKER_TLS"        // non-empty (without DOCKER_TLS_VERIFY): TLS, daemon NOT verified
	EnvCertPath  = "DOCKER_CERT_PATH"  // directory with ca.pem, cert.pem, key.pem
	EnvContext   = "DOCKER_CONTEXT"    // Docker context name; overrides currentContext
	EnvConfig    = "DOCKER_CONFIG"     // Docker config directory (default ~/.docker)
	// EnvSSHConfig names an ssh_config file passed to ssh with -F for ssh://
	// hosts, e.g. to give a port, key or known_hosts file without touching
	// ~/.ssh/config.
	EnvSSHConfig = "DOCKERSDK_SSH_CONFIG"
)

// DefaultContext is the name of the Docker context that means DefaultHost
// (or DOCKER_HOST and the TLS variables, which are read before contexts).
const DefaultContext = "default"

// FromEnv resolves the daemon endpoint from the process environment and the
// docker CLI's configuration, as the docker CLI does. See FromEnvironment.
func FromEnv() (*Endpoint, error) {
	return FromEnvironment(os.Getenv)
}

// FromEnvironment resolves the daemon endpoint using getenv to read
// environment variables, so that callers and tests can supply their own.
//
// In order:
//
//  1. DOCKER_HOST, if set, is parsed with Parse. For tcp hosts TLS is on when
//     DOCKER_TLS_VERIFY, DOCKER_TLS or DOCKER_CERT_PATH is non-empty (or the
//     host is https://), with PEM files from DOCKER_CERT_PATH or else the
//     config directory (see LoadTLS). The daemon's certificate is verified
//     unless DOCKER_TLS is set and DOCKER_TLS_VERIFY is not; in particular,
//     unlike the official Go client, DOCKER_CERT_PATH alone does not turn
//     verification off.
//  2. Otherwise the context named by DOCKER_CONTEXT, or else by
//     "currentContext" in $DOCKER_CONFIG/config.json (default
//     ~/.docker/config.json), is read from
//     $DOCKER_CONFIG/contexts/meta/<sha256 of name>/meta.json
//     (Endpoints.docker.Host and SkipTLSVerify), with TLS files from
//     $DOCKER_CONFIG/contexts/tls/<sha256 of name>/docker/.
//  3. The context "default", or no context at all, means DefaultHost.
//
// For ssh hosts, DOCKERSDK_SSH_CONFIG names an ssh_config file given to ssh
// with -F. Warnings (such as a world-readable TLS key) are returned in
// Endpoint.Warnings.
func FromEnvironment(getenv func(string) string) (*Endpoint, error) {
	cfgDir := configDir(getenv)
	if host := getenv(EnvHost); host != "" {
		ep, err := Parse(host)
		if err != nil {
			return nil, err
		}
		if ep, err = envTLS(ep, getenv, cfgDir); err != nil {
			return nil, err
		}
		return withSSHConfig(ep, getenv), nil
	}

	name, source := getenv(EnvContext), EnvContext
	if name == "" {
		var err error
		if name, err = currentContext(cfgDir); err != nil {
			return nil, err
		}
		source = "currentContext in " + filepath.Join(cfgDir, "config.json")
	}
	if name == "" || name == DefaultContext {
		ep, err := Parse(DefaultHost)
		if err != nil {
			return nil, err
		}
		return withSSHConfig(ep, getenv), nil
	}
	ep, err := loadContext(cfgDir, name, source)
	if err != nil {
		return nil, err
	}
	return withSSHConfig(ep, getenv), nil
}

// configDir is $DOCKER_CONFIG, else ~/.docker; "" if neither can be found.
func configDir(getenv func(string) string) string {
	if d := getenv(EnvConfig); d != "" {
		return d
	}
	home := getenv("HOME")
	if runtime.GOOS == "windows" {
		if p := getenv("USERPROFILE"); p != "" {
			home = p
		}
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".docker")
}

func envTLS(ep *Endpoint, getenv func(string) string, cfgDir string) (*Endpoint, error) {
	if ep.Scheme != "tcp" {
		return ep, nil // unix, npipe and ssh do not use TLS; the CLI ignores the variables too
	}
	verifyEnv := getenv(EnvTLSVerify) != ""
	tlsEnv := getenv(EnvTLS) != ""
	certPath := getenv(EnvCertPath)
	if !verifyEnv && !tlsEnv && certPath == "" {
		return ep, nil // plain tcp://, or https:// with the system roots
	}
	if certPath == "" {
		certPath = cfgDir
	}
	verify := verifyEnv || !tlsEnv
	cfg, warnings, err := LoadTLS(certPath, verify)
	if err != nil {
		return nil, err
	}
	ep, err = ep.WithTLS(cfg)
	if err != nil {
		return nil, err
	}
	ep.Warnings = append(ep.Warnings, warnings...)
	return ep, nil
}

func withSSHConfig(ep *Endpoint, getenv func(string) string) *Endpoint {
	if ep.SSH != nil {
		if p := getenv(EnvSSHConfig); p != "" {
			t := *ep.SSH
			t.ExtraArgs = append([]string{"-F", p}, t.ExtraArgs...)
			ep.SSH = &t
		}
	}
	return ep
}

// currentContext reads "currentContext" from config.json; a missing file
// means no context.
func currentContext(cfgDir string) (string, error) {
	if cfgDir == "" {
		return "", nil
	}
	path := filepath.Join(cfgDir, "config.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("dialer: reading Docker config: %w", err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := jsonwire.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("dialer: Docker config %s is not valid JSON: %w", path, err)
	}
	return cfg.CurrentContext, nil
}

// contextDigest is the directory name the docker CLI stores a context under.
func contextDigest(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// contextMeta is the part of a context's meta.json that says how to reach
// the daemon.
type contextMeta struct {
	Name      string `json:"Name"`
	Endpoints map[string]struct {
		Host          string `json:"Host"`
		SkipTLSVerify bool   `json:"SkipTLSVerify"`
	} `json:"Endpoints"`
}

func loadContext(cfgDir, name, source string) (*Endpoint, error) {
	if cfgDir == "" {
		return nil, fmt.Errorf("dialer: Docker context %q (from %s) cannot be read: set DOCKER_CONFIG or HOME", name, source)
	}
	digest := contextDigest(name)
	metaPath := filepath.Join(cfgDir, "contexts", "meta", digest, "meta.json")
	b, err := os.ReadFile(metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("dialer: Docker context %q (from %s) not found: %s does not exist (see `docker context ls`)", name, source, metaPath)
	}
	if err != nil {
		return nil, fmt.Errorf("dialer: reading Docker context %q: %w", name, err)
	}
	var meta contextMeta
	if err := jsonwire.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("dialer: Docker context %q: %s is not valid JSON: %w", name, metaPath, err)
	}
	docker, ok := meta.Endpoints["docker"]
	if !ok || docker.Host == "" {
		return nil, fmt.Errorf("dialer: Docker context %q: %s has no Endpoints.docker.Host", name, metaPath)
	}
	ep, err := Parse(docker.Host)
	if err != nil {
		return nil, fmt.Errorf("%w (from Docker context %q, %s)", err, name, metaPath)
	}
	ep.Context = name
	if ep.Scheme != "tcp" {
		return ep, nil
	}
	tlsDir := filepath.Join(cfgDir, "contexts", "tls", digest, "docker")
	hasTLS, err := exists(tlsDir)
	if err != nil {
		return nil, err
	}
	if !hasTLS && !docker.SkipTLSVerify {
		return ep, nil // plain tcp://, or https:// with the system roots
	}
	if !hasTLS {
		tlsDir = ""
	}
	cfg, warnings, err := LoadTLS(tlsDir, !docker.SkipTLSVerify)
	if err != nil {
		return nil, fmt.Errorf("%w (for Docker context %q)", err, name)
	}
	if ep, err = ep.WithTLS(cfg); err != nil {
		return nil, err
	}
	ep.Warnings = append(ep.Warnings, warnings...)
	return ep, nil
}
