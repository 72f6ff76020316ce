// Package dialer says where a Docker daemon is and connects to it.
//
// It parses DOCKER_HOST-style addresses (unix, tcp, http, https, ssh, npipe,
// fd), resolves the environment the way the docker CLI does (DOCKER_HOST,
// DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONTEXT and the contexts stored
// under ~/.docker), and turns the result into raw connections (for hijacked
// requests) and a pooled *http.Transport (for everything else).
//
// Typical use:
//
//	ep, err := dialer.FromEnv()
//	if err != nil { ... }
//	for _, w := range ep.Warnings { log.Print(w) }
//	client := &http.Client{Transport: ep.Transport()}
//	resp, err := client.Get(ep.BaseURL() + "/_ping")
//
// The package uses the standard library only. ssh:// endpoints run the
// system's ssh client with `docker system dial-stdio` on the far side, so no
// docker CLI code is linked in. HTTP proxies from the environment apply to tcp
// endpoints only: a unix socket, named pipe or ssh tunnel never goes through
// a proxy.
package dialer
