package dialer

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Names of the PEM files in a DOCKER_CERT_PATH directory (and in a Docker
// context's TLS directory).
const (
	CAFile   = "ca.pem"   // CA certificates that sign the daemon's certificate
	CertFile = "cert.pem" // the client certificate
	KeyFile  = "key.pem"  // the client certificate's private key
)

// LoadTLS builds a client TLS configuration from the PEM files in certPath,
// as the docker CLI reads DOCKER_CERT_PATH:
//
//   - ca.pem, if present, replaces the system roots for checking the daemon;
//   - cert.pem and key.pem, if present, are the client certificate (one
//     without the other is an error);
//   - missing files are skipped, so an empty certPath gives the system roots
//     and no client certificate.
//
// The daemon's certificate is verified unless verify is false. MinVersion is
// TLS 1.2. Problems that do not stop TLS from working, such as a key file
// readable by group or others, are returned as warnings for the caller to
// show; nothing is printed.
func LoadTLS(certPath string, verify bool) (*tls.Config, []string, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: !verify}
	var warnings []string
	if certPath == "" {
		return cfg, nil, nil
	}

	caPath := filepath.Join(certPath, CAFile)
	pem, err := os.ReadFile(caPath)
	switch {
	case err == nil:
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("dialer: no PEM certificates in %s", caPath)
		}
		cfg.RootCAs = pool
	case errors.Is(err, fs.ErrNotExist):
	default:
		return nil, nil, fmt.Errorf("dialer: reading TLS CA: %w", err)
	}

	certFile := filepath.Join(certPath, CertFile)
	keyFile := filepath.Join(certPath, KeyFile)
	certExists, err := exists(certFile)
	if err != nil {
		return nil, nil, err
	}
	keyExists, err := exists(keyFile)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case certExists && keyExists:
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("dialer: loading TLS client certificate %s and key %s: %w", certFile, keyFile, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
		if w := keyPermWarning(keyFile); w != "" {
			warnings = append(warnings, w)
		}
	case certExists:
		return nil, nil, fmt.Errorf("dialer: TLS client certificate %s has no key: %s is missing", certFile, keyFile)
	case keyExists:
		return nil, nil, fmt.Errorf("dialer: TLS client key %s has no certificate: %s is missing", keyFile, certFile)
	}
	return cfg, warnings, nil
}

func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, fmt.Errorf("dialer: %w", err)
}

// keyPermWarning returns a warning when a private key can be read by users
// other than its owner. Windows file modes say nothing about that, so it is
// not checked there.
func keyPermWarning(keyFile string) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	fi, err := os.Stat(keyFile)
	if err != nil {
		return ""
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Sprintf("dialer: TLS private key %s is readable by group or others (mode %04o); run: chmod 600 %s", keyFile, perm, keyFile)
	}
	return ""
}
