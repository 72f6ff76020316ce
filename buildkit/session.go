package buildkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sync/atomic"

	"github.com/dockerclient/docker"
)

var discardLog = log.New(io.Discard, "", 0)

// The gRPC methods a session may serve, as BuildKit names them.
const (
	methodHealth      = "/grpc.health.v1.Health/Check"
	methodCredentials = "/moby.filesync.v1.Auth/Credentials"
	methodSecret      = "/moby.buildkit.secrets.v1.Secrets/GetSecret"
	methodCheckAgent  = "/moby.sshforward.v1.SSH/CheckAgent"
	methodForward     = "/moby.sshforward.v1.SSH/ForwardAgent"
	methodFileSend    = "/moby.filesync.v1.FileSend/DiffCopy"
)

// sshIDKey is the metadata key that names the SSH agent a forwarded
// connection is for.
const sshIDKey = "buildkit.ssh.id"

// newID returns a random identifier for a session (and its shared key):
// 32 hex digits. The daemon takes any string; the CLI's are random too.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// services builds the gRPC methods a build's session serves from cfg.
func services(cfg *Config) (*grpcServer, error) {
	g := &grpcServer{
		unary:  map[string]unaryFunc{methodHealth: health},
		stream: map[string]streamFunc{},
	}
	creds := cfg.Credentials
	if creds == nil {
		creds = docker.CredentialStore{}.Lookup
	}
	g.unary[methodCredentials] = credentials(creds)

	if len(cfg.Secrets) > 0 {
		// Files are read now, as the CLI does: a path that cannot be read
		// fails here, before the build, rather than leaving an optional
		// mount empty, and every step sees the same bytes.
		secrets := map[string][]byte{}
		for _, s := range cfg.Secrets {
			if s.ID == "" {
				return nil, errors.New("buildkit: a Secret needs an ID (the id= of RUN --mount=type=secret)")
			}
			if _, dup := secrets[s.ID]; dup {
				return nil, fmt.Errorf("buildkit: secret %q is given twice", s.ID)
			}
			if s.File != "" && s.Data != nil {
				return nil, fmt.Errorf("buildkit: secret %q has both Data and File; give one", s.ID)
			}
			data := s.Data
			if s.File != "" {
				b, err := readSecretFile(s.File)
				if err != nil {
					return nil, fmt.Errorf("buildkit: secret %q: %w", s.ID, err)
				}
				data = b
			}
			if data == nil {
				data = []byte{}
			}
			secrets[s.ID] = data
		}
		g.unary[methodSecret] = getSecret(secrets)
	}

	if cfg.Output != nil {
		g.stream[methodFileSend] = fileSend(cfg.Output)
	}

	if len(cfg.SSH) > 0 {
		agents := map[string]string{}
		for _, a := range cfg.SSH {
			id := a.ID
			if id == "" {
				id = "default"
			}
			sock := a.Socket
			if sock == "" {
				sock = os.Getenv("SSH_AUTH_SOCK")
				if sock == "" {
					return nil, fmt.Errorf("buildkit: SSH agent %q has no Socket and SSH_AUTH_SOCK is not set", id)
				}
			}
			if _, dup := agents[id]; dup {
				return nil, fmt.Errorf("buildkit: SSH agent %q is given twice", id)
			}
			agents[id] = sock
		}
		g.unary[methodCheckAgent] = checkAgent(agents)
		g.stream[methodForward] = forwardAgent(agents)
	}
	return g, nil
}

// health answers grpc.health.v1.Health/Check: SERVING (1). The daemon
// asks every second and ends the session when we stop answering.
func health(context.Context, []byte) ([]byte, error) {
	var w writer
	w.int(1, 1)
	return w.b, nil
}

// credentials answers moby.filesync.v1.Auth/Credentials for a registry
// host, as the docker CLI does: an identity token goes as the secret with
// no user name.
func credentials(lookup func(ctx context.Context, server string) (*docker.AuthConfig, error)) unaryFunc {
	return func(ctx context.Context, req []byte) ([]byte, error) {
		host, err := firstField(req, "credentials request")
		if err != nil {
			return nil, err
		}
		if host == "registry-1.docker.io" { // what BuildKit asks for Docker Hub
			host = "docker.io"
		}
		a, err := lookup(ctx, host)
		if err != nil {
			// BuildKit shows this message in the build's error; ours never
			// holds a secret (see docker.CredentialStore).
			return nil, grpcErrorf(codeUnavailable, "credentials for %s: %v", host, err)
		}
		var w writer
		if a != nil {
			if a.IdentityToken != "" {
				w.string(2, a.IdentityToken)
			} else {
				w.string(1, a.Username)
				w.string(2, a.Password)
			}
		}
		return w.b, nil
	}
}

// getSecret answers moby.buildkit.secrets.v1.Secrets/GetSecret. An unknown
// ID is NotFound, which BuildKit takes as "not given": an optional mount
// stays absent, a required one fails its step naming the ID.
func getSecret(secrets map[string][]byte) unaryFunc {
	return func(ctx context.Context, req []byte) ([]byte, error) {
		id, err := firstField(req, "secret request") // field 2, annotations, is not used
		if err != nil {
			return nil, err
		}
		data, ok := secrets[id]
		if !ok {
			return nil, grpcErrorf(codeNotFound, "secret %s not found", id)
		}
		var w writer
		w.bytes(1, data)
		return w.b, nil
	}
}

// maxSecret bounds a secret read from a file, as BuildKit bounds what it
// accepts (500 KiB).
const maxSecret = 500 << 10

func readSecretFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecret+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSecret {
		return nil, &os.PathError{Op: "read", Path: name, Err: fmt.Errorf("longer than %d bytes", maxSecret)}
	}
	return b, nil
}

// checkAgent answers moby.sshforward.v1.SSH/CheckAgent: whether an agent
// of that ID was given (and its socket answers).
func checkAgent(agents map[string]string) unaryFunc {
	return func(ctx context.Context, req []byte) ([]byte, error) {
		id, err := firstField(req, "agent check")
		if err != nil {
			return nil, err
		}
		if id == "" {
			id = "default"
		}
		sock, ok := agents[id]
		if !ok {
			return nil, grpcErrorf(codeNotFound, "no SSH agent %q was given to the build", id)
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, "unix", sock)
		if err != nil {
			return nil, grpcErrorf(codeUnavailable, "SSH agent %q: %v", id, err)
		}
		c.Close()
		return nil, nil
	}
}

// forwardAgent serves moby.sshforward.v1.SSH/ForwardAgent: one connection
// to the agent, its bytes carried both ways in BytesMessage (field 1).
func forwardAgent(agents map[string]string) streamFunc {
	return func(st *grpcStream) error {
		id := st.md.Get(sshIDKey)
		if id == "" {
			id = "default"
		}
		sock, ok := agents[id]
		if !ok {
			return grpcErrorf(codeNotFound, "no SSH agent %q was given to the build", id)
		}
		var d net.Dialer
		conn, err := d.DialContext(st.ctx, "unix", sock)
		if err != nil {
			return grpcErrorf(codeUnavailable, "SSH agent %q: %v", id, err)
		}
		defer conn.Close()
		stop := context.AfterFunc(st.ctx, func() { conn.Close() })
		defer stop()

		// Daemon to agent in a goroutine of its own, agent to daemon here.
		// When the agent is done, the daemon's side is closed too, which
		// ends the goroutine; it is waited for, as a handler may not read
		// its request once it has returned.
		errc := make(chan error, 1)
		go func() {
			for {
				m, err := st.recv()
				if err == io.EOF {
					if cw, ok := conn.(interface{ CloseWrite() error }); ok {
						cw.CloseWrite() // the agent may still answer
						errc <- nil
						return
					}
				}
				if err != nil {
					conn.Close()
					errc <- err
					return
				}
				if _, err := conn.Write(bytesField(m)); err != nil {
					conn.Close()
					errc <- err
					return
				}
			}
		}()
		buf := make([]byte, 32<<10)
		var sendErr error
		for {
			n, err := conn.Read(buf)
			if n > 0 {
				var w writer
				w.bytes(1, buf[:n])
				if sendErr = st.send(w.b); sendErr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		conn.Close()
		st.closeRecv()
		recvErr := <-errc
		switch {
		case sendErr != nil:
			return sendErr
		case recvErr != nil && !errors.Is(recvErr, net.ErrClosed) && !errors.Is(recvErr, errRecvClosed):
			return recvErr
		}
		return nil
	}
}

// firstField reads field 1, a string, of a request whose other fields are
// not needed: the host, secret or agent it asks about.
func firstField(req []byte, what string) (string, error) {
	var v string
	r := reader{b: req}
	for num, typ, ok := r.next(); ok; num, typ, ok = r.next() {
		if num == 1 {
			v = r.string(typ)
		} else {
			r.skip(typ)
		}
	}
	if r.err != nil {
		return "", grpcErrorf(codeInvalidArgument, "%s: %v", what, r.err)
	}
	return v, nil
}

// fileSend serves moby.filesync.v1.FileSend/DiffCopy as a tar exporter
// uses it: the daemon streams the result in BytesMessages, which go to w,
// and ends its side when done. One build has one output, so a second
// stream is refused rather than interleaved into w.
func fileSend(w io.Writer) streamFunc {
	var used atomic.Bool
	return func(st *grpcStream) error {
		if used.Swap(true) {
			return grpcErrorf(codeFailedPrecondition, "the build's output is being sent or was sent already")
		}
		for {
			m, err := st.recv()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if _, err := w.Write(bytesField(m)); err != nil {
				return grpcErrorf(codeInternal, "writing the build's output: %v", err)
			}
		}
	}
}

// bytesField returns field 1 of a BytesMessage.
func bytesField(m []byte) []byte {
	r := reader{b: m}
	var data []byte
	for num, typ, ok := r.next(); ok; num, typ, ok = r.next() {
		if num == 1 {
			data = r.message(typ)
		} else {
			r.skip(typ)
		}
	}
	return data
}
