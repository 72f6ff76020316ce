package dialer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SSHTarget says how to reach a daemon over ssh: the system's ssh client is
// run with `docker system dial-stdio` as the remote command, and its stdin
// and stdout become the connection. Authentication, host keys, jump hosts
// and the like are ssh's business (ssh-agent, ~/.ssh/config, ExtraArgs).
type SSHTarget struct {
	User string // remote user (-l); "" lets ssh decide
	Host string // host name or address as ssh should see it (may be a ~/.ssh/config alias)
	Port string // remote port (-p); "" lets ssh decide
	// ExtraArgs are given to ssh before the target, e.g.
	// {"-F", "/path/ssh_config"} or {"-o", "IdentityFile=/path/key"}.
	// FromEnvironment puts "-F $DOCKERSDK_SSH_CONFIG" here.
	ExtraArgs []string
	// Binary is the ssh program; "" means "ssh" from PATH.
	Binary string
	// RemoteCommand runs on the far side; nil means
	// {"docker", "system", "dial-stdio"}, which needs Docker 18.09 or newer
	// there.
	RemoteCommand []string
}

// String returns the target as [user@]host[:port].
func (t *SSHTarget) String() string {
	s := t.Host
	if t.Port != "" {
		s = net.JoinHostPort(t.Host, t.Port)
	} else if strings.Contains(s, ":") {
		s = "[" + s + "]"
	}
	if t.User != "" {
		s = t.User + "@" + s
	}
	return s
}

// Command returns the argv DialContext runs:
//
//	ssh [ExtraArgs...] [-o ConnectTimeout=N] -T [-l user] [-p port] -- host docker system dial-stdio
//
// connectTimeout, when positive, becomes ConnectTimeout rounded up to whole
// seconds. -T keeps ssh from allocating a terminal, which would corrupt the
// byte stream; "--" keeps the host from ever being read as an option.
func (t *SSHTarget) Command(connectTimeout time.Duration) []string {
	bin := t.Binary
	if bin == "" {
		bin = "ssh"
	}
	argv := append([]string{bin}, t.ExtraArgs...)
	if connectTimeout > 0 {
		secs := int64((connectTimeout + time.Second - 1) / time.Second)
		argv = append(argv, "-o", "ConnectTimeout="+strconv.FormatInt(secs, 10))
	}
	argv = append(argv, "-T")
	if t.User != "" {
		argv = append(argv, "-l", t.User)
	}
	if t.Port != "" {
		argv = append(argv, "-p", t.Port)
	}
	argv = append(argv, "--", t.Host)
	remote := t.RemoteCommand
	if remote == nil {
		remote = []string{"docker", "system", "dial-stdio"}
	}
	return append(argv, remote...)
}

func (t *SSHTarget) dial(ctx context.Context) (net.Conn, error) {
	var timeout time.Duration
	if dl, ok := ctx.Deadline(); ok {
		if timeout = time.Until(dl); timeout <= 0 {
			return nil, context.DeadlineExceeded
		}
	}
	return startCommandConn(ctx, t.Command(timeout), "ssh", t.String())
}

// stderrLimit bounds how much of the command's stderr is kept for errors.
const stderrLimit = 8 << 10

// eofWait is how long a Read that hits EOF waits for the command to exit,
// to tell a failed command (reported with its stderr) from a clean end.
const eofWait = time.Second

// cmdConn is a net.Conn over a child process's stdin and stdout.
type cmdConn struct {
	proc   *procState
	stdin  *os.File // our end: write to the command
	stdout *os.File // our end: read from the command
	remote cmdAddr

	closing   atomic.Bool
	eofOnce   sync.Once
	closeOnce sync.Once
	wOnce     sync.Once
}

// procState is shared with the goroutine waiting for the process; it never
// points back at the cmdConn so an abandoned conn can be cleaned up.
type procState struct {
	proc     *os.Process
	stderr   *tailBuffer
	done     chan struct{} // closed when the process was reaped
	waitErr  error         // valid after done is closed
	exitCode int           // valid after done is closed; -1 when killed by a signal
}

// startCommandConn starts argv with its stdin and stdout as the connection.
// It uses os.StartProcess rather than os/exec: os/exec would add about
// 150 KB to every program that links this package, for a few lines saved.
func startCommandConn(ctx context.Context, argv []string, network, target string) (net.Conn, error) {
	path, err := lookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("dialer: %w (install an OpenSSH client, or set SSHTarget.Binary)", err)
	}
	var files []*os.File // the child's ends, closed here once it has them
	closeAll := func(fs ...*os.File) {
		for _, f := range fs {
			f.Close()
		}
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW)
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW, outR, outW)
		return nil, err
	}
	files = []*os.File{inR, outW, errW}
	attr := &os.ProcAttr{Files: files}
	setSysProcAttr(attr)
	proc, err := os.StartProcess(path, argv, attr)
	closeAll(files...) // the child has its own copies now
	if err != nil {
		closeAll(inW, outR, errR)
		return nil, fmt.Errorf("dialer: starting %s: %w", argv[0], err)
	}
	p := &procState{proc: proc, stderr: &tailBuffer{max: stderrLimit}, done: make(chan struct{})}
	stderrDone := make(chan struct{})
	go func() {
		io.Copy(p.stderr, errR)
		close(stderrDone)
	}()
	go func() {
		state, err := proc.Wait()
		// Let stderr drain, but not forever: a grandchild may hold it open.
		select {
		case <-stderrDone:
		case <-time.After(2 * time.Second):
		}
		errR.Close()
		<-stderrDone
		switch {
		case err != nil:
			p.waitErr, p.exitCode = err, -1
		case !state.Success():
			p.waitErr, p.exitCode = errors.New(state.String()), state.ExitCode()
		}
		close(p.done)
	}()
	c := &cmdConn{proc: p, stdin: inW, stdout: outR, remote: cmdAddr{network, target}}
	// A connection dropped without Close must not leave the process behind.
	runtime.AddCleanup(c, func(p *procState) { p.kill() }, p)
	if err := ctx.Err(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// lookPath finds a program as a shell would: a name with a path separator
// as it is, otherwise the first executable file of that name in $PATH.
func lookPath(name string) (string, error) {
	if strings.ContainsAny(name, `/\`) {
		return name, nil
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		for _, candidate := range executableNames(filepath.Join(dir, name)) {
			if fi, err := os.Stat(candidate); err == nil && fi.Mode().IsRegular() && isExecutable(fi) {
				return candidate, nil
			}
		}
	}
	return "", fmt.Errorf("%q: executable file not found in $PATH", name)
}

func (p *procState) kill() {
	select {
	case <-p.done:
	default:
		_ = p.proc.Kill()
	}
}

// exitErr describes a command that ended before the connection did.
func (c *cmdConn) exitErr() error {
	p := c.proc
	msg := strings.TrimSpace(p.stderr.String())
	if msg == "" {
		msg = "(no stderr)"
	}
	hint := ""
	if p.exitCode == 127 {
		hint = " (is Docker 18.09 or newer installed on the remote host, with docker in the PATH of non-interactive ssh sessions?)"
	}
	return fmt.Errorf("dialer: %s to %s ended: %v: %s%s", c.remote.network, c.remote.s, p.waitErr, msg, hint)
}

// failed reports whether the command has exited (waiting up to d) and was
// not stopped by us or did not succeed.
func (c *cmdConn) failed(d time.Duration) bool {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-c.proc.done:
		case <-t.C:
			return false
		}
	} else {
		select {
		case <-c.proc.done:
		default:
			return false
		}
	}
	return !c.closing.Load() && c.proc.waitErr != nil
}

// Read reads what the command wrote to stdout. If the command failed, the
// error carries its exit status and stderr instead of a bare io.EOF.
func (c *cmdConn) Read(b []byte) (int, error) {
	n, err := c.stdout.Read(b)
	if err == io.EOF {
		wait := time.Duration(0)
		c.eofOnce.Do(func() { wait = eofWait })
		if c.failed(wait) {
			return n, c.exitErr()
		}
	}
	return n, err
}

// Write writes to the command's stdin. If the command has died, the error
// carries its exit status and stderr.
func (c *cmdConn) Write(b []byte) (int, error) {
	n, err := c.stdin.Write(b)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && c.failed(eofWait) {
		return n, c.exitErr()
	}
	return n, err
}

// CloseWrite closes the command's stdin, so the daemon sees EOF on the
// hijacked stream, while output can still be read.
func (c *cmdConn) CloseWrite() error {
	var err error
	c.wOnce.Do(func() { err = c.stdin.Close() })
	return err
}

// CloseRead stops reading the command's stdout.
func (c *cmdConn) CloseRead() error {
	return c.stdout.Close()
}

// Close kills the command and waits for it, so no process or goroutine is
// left behind.
func (c *cmdConn) Close() error {
	c.closeOnce.Do(func() {
		c.closing.Store(true)
		c.CloseWrite()
		c.stdout.Close()
		c.proc.kill()
		<-c.proc.done
	})
	return nil
}

func (c *cmdConn) LocalAddr() net.Addr  { return cmdAddr{c.remote.network, "localhost"} }
func (c *cmdConn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline sets read and write deadlines where the platform's pipes
// support them (they do on unix); elsewhere it is a no-op.
func (c *cmdConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

func (c *cmdConn) SetReadDeadline(t time.Time) error {
	return ignoreNoDeadline(c.stdout.SetReadDeadline(t))
}

func (c *cmdConn) SetWriteDeadline(t time.Time) error {
	return ignoreNoDeadline(c.stdin.SetWriteDeadline(t))
}

func ignoreNoDeadline(err error) error {
	if errors.Is(err, os.ErrNoDeadline) {
		return nil
	}
	return err
}

// cmdAddr is the net.Addr of a command connection, e.g. ssh user@host:22.
type cmdAddr struct{ network, s string }

func (a cmdAddr) Network() string { return a.network }
func (a cmdAddr) String() string  { return a.s }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu        sync.Mutex
	max       int
	buf       []byte
	truncated bool
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if len(p) >= b.max {
		p = p[len(p)-b.max:]
		b.buf = b.buf[:0]
		b.truncated = true
	}
	if over := len(b.buf) + len(p) - b.max; over > 0 {
		b.buf = b.buf[:copy(b.buf, b.buf[over:])]
		b.truncated = true
	}
	b.buf = append(b.buf, p...)
	return n, nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.truncated {
		return "..." + string(b.buf)
	}
	return string(b.buf)
}
