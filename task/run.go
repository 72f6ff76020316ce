package task

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dockerclient/docker"
)

// Config describes a container for Run and Start.
type Config struct {
	Image       string // pulled when missing (see Pull)
	Cmd         []string
	Entrypoint  []string
	Env         []string // "KEY=value"
	Labels      map[string]string
	NetworkMode string // "none", "host", a network's name; "" is the daemon's default
	TTY         bool   // allocate a terminal: output is raw, stderr joins stdout
	WorkingDir  string
	User        string // "uid", "uid:gid", "name"
	Name        string // the container's name; "" lets the daemon choose

	// CreateBody holds further fields of the ContainerCreate body, as the
	// API reference names them, set over those above: {"StopSignal":
	// "SIGINT"}. A "HostConfig" given as a map[string]any is merged key
	// by key with the one built from the fields above ({"HostConfig":
	// map[string]any{"Memory": 1 << 28}} keeps NetworkMode); any other
	// value replaces it.
	CreateBody map[string]any

	// Pull says when to pull Image; the default pulls it when the daemon
	// does not have it.
	Pull PullPolicy
	// RegistryAuth is the credential for pulling Image. When nil, the
	// docker CLI's configuration is asked (docker.CredentialStore).
	RegistryAuth *docker.AuthConfig
	// Progress, when set, receives each message of a pull.
	Progress func(docker.JSONMessage)

	// Stdin, Stdout and Stderr are the container's streams in Run (Start
	// refuses them: read a started container's output with
	// Container.Logs). A nil Stdout or Stderr discards that stream; a nil
	// Stdin leaves the container's stdin closed. Run copies Stdin until it
	// ends, then closes the container's stdin. The copy may outlive Run by
	// one Read: a Read blocked in Stdin itself (os.Stdin at a terminal)
	// cannot be interrupted, and the line it returns is dropped.
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// Keep leaves the container in place after Run; by default Run removes
	// it (with its anonymous volumes) once it has exited, as docker run
	// --rm does, on every path, a cancelled ctx included.
	Keep bool
	// AutoRemove makes the daemon remove the container when it exits
	// (HostConfig.AutoRemove). Run and Start still report the exit code:
	// they register the wait before the start. It needs API 1.30.
	AutoRemove bool

	// APIVersion pins the API version of the calls ("1.41"); "" uses the
	// client's (see docker.Client.Negotiate).
	APIVersion string
}

// PullPolicy says when Run and Start pull the image.
type PullPolicy string

// Pull policies.
const (
	PullMissing PullPolicy = ""       // pull when the daemon does not have the image
	PullAlways  PullPolicy = "always" // pull every time
	PullNever   PullPolicy = "never"  // never pull; a missing image fails the create
)

// cleanupTimeout bounds the removal of a container after its context ended.
const cleanupTimeout = 30 * time.Second

// Run runs a container to its end, as docker run --rm does: it pulls the
// image when missing, creates the container, attaches to its output,
// registers the wait for its exit, starts it, copies its stdout and stderr
// to cfg.Stdout and cfg.Stderr (demultiplexed; raw with a TTY), waits and
// removes it (unless cfg.Keep). It returns the container's ID, and an
// *ExitError when the exit code is not zero.
//
// Cancelling ctx ends Run; the container is then removed (forcibly) unless
// cfg.Keep.
func Run(ctx context.Context, c *docker.Client, cfg Config) (id string, err error) {
	v, err := prepare(ctx, c, &cfg)
	if err != nil {
		return "", err
	}
	id, err = create(ctx, c, v, &cfg, true)
	if err != nil {
		return "", err
	}
	defer func() {
		if cfg.Keep {
			return
		}
		// With AutoRemove the daemon may be removing it already: then this
		// waits until it is gone, so that its name is free again.
		if rerr := removeContainer(ctx, c, v, id, cfg.AutoRemove); rerr != nil && err == nil {
			err = rerr
		}
	}()

	var conn *docker.HijackedConn
	args := docker.Args{"id": id, "stream": true, "stdout": true, "stderr": true}
	if cfg.Stdin != nil {
		args["stdin"] = true
	}
	if err := c.CallVersion(ctx, v, "ContainerAttach", args, &conn); err != nil {
		return id, fmt.Errorf("task: attaching to container %s: %w", shortID(id), err)
	}
	defer conn.Close()
	conn.TTY = cfg.TTY

	var w *exitWaiter
	if atLeast(v, waitCondition) {
		if w, err = registerWait(ctx, c, v, id); err != nil {
			return id, err
		}
		defer w.stop()
	}
	if err := c.CallVersion(ctx, v, "ContainerStart", docker.Args{"id": id}, nil); err != nil {
		return id, fmt.Errorf("task: starting container %s: %w", shortID(id), err)
	}
	tail, err := pump(conn, cfg.Stdin, cfg.Stdout, cfg.Stderr, cfg.TTY)
	if err != nil {
		return id, fmt.Errorf("task: reading the output of container %s: %w", shortID(id), err)
	}
	code, err := waitExit(ctx, c, v, id, w)
	if err != nil {
		return id, err
	}
	if code != 0 {
		return id, &ExitError{Code: code, Stderr: tail.Bytes(), ContainerID: id}
	}
	return id, nil
}

// pump copies stdin (if any) into a hijacked connection, closing its write
// side after, and the connection's output to stdout and stderr
// (demultiplexed; raw with a TTY; nil discards) until the output ends. It
// returns the end of stderr (of stdout with a TTY, where both are one). The
// stdin copy ends when stdin does, or at its next Read once the connection
// is closed; a Read blocked in stdin itself cannot be interrupted.
func pump(conn *docker.HijackedConn, stdin io.Reader, stdout, stderr io.Writer, tty bool) (*tailBuffer, error) {
	if stdin != nil {
		go func() {
			_, _ = io.Copy(conn, stdin)
			_ = conn.CloseWrite()
		}()
	}
	tail := newTail(StderrTail)
	out, errw := orDiscard(stdout), io.MultiWriter(orDiscard(stderr), tail)
	if tty {
		out = io.MultiWriter(out, tail)
	}
	return tail, conn.Output().Demux(out, errw)
}

// Container is a container started by Start.
type Container struct {
	ID      string
	c       *docker.Client
	version string
	auto    bool        // removed by the daemon when it exits
	w       *exitWaiter // the wait registered before the start (API 1.30+)
}

// Start starts a container and leaves it running: it pulls the image when
// missing, creates the container, registers the wait for its exit and
// starts it. Read its output with Logs, and end it with Stop, Wait and
// Remove; the wait registered before the start holds a connection until
// the container exits or Remove is called.
func Start(ctx context.Context, c *docker.Client, cfg Config) (*Container, error) {
	if cfg.Stdin != nil || cfg.Stdout != nil || cfg.Stderr != nil {
		return nil, errors.New("task: Start leaves the container running: Config.Stdin, Stdout and Stderr are for Run; read a started container's output with Container.Logs")
	}
	v, err := prepare(ctx, c, &cfg)
	if err != nil {
		return nil, err
	}
	id, err := create(ctx, c, v, &cfg, false)
	if err != nil {
		return nil, err
	}
	ct := &Container{ID: id, c: c, version: v, auto: cfg.AutoRemove}
	if atLeast(v, waitCondition) {
		// Not bound to ctx, which may be a timeout for the start alone.
		if ct.w, err = registerWait(context.WithoutCancel(ctx), c, v, id); err != nil {
			_ = removeContainer(ctx, c, v, id, cfg.AutoRemove)
			return nil, err
		}
	}
	if err := c.CallVersion(ctx, v, "ContainerStart", docker.Args{"id": id}, nil); err != nil {
		_ = ct.Remove(ctx)
		return nil, fmt.Errorf("task: starting container %s: %w", shortID(id), err)
	}
	return ct, nil
}

// Logs copies the container's output, from its start, to stdout and stderr
// (demultiplexed; raw with a TTY; nil discards) until the container stops
// or ctx ends.
func (ct *Container) Logs(ctx context.Context, stdout, stderr io.Writer) error {
	var out *docker.Output
	args := docker.Args{"id": ct.ID, "follow": true, "stdout": true, "stderr": true}
	if err := ct.c.CallVersion(ctx, ct.version, "ContainerLogs", args, &out); err != nil {
		return fmt.Errorf("task: reading the logs of container %s: %w", shortID(ct.ID), err)
	}
	defer out.Close()
	if err := out.Demux(orDiscard(stdout), orDiscard(stderr)); err != nil {
		return fmt.Errorf("task: reading the logs of container %s: %w", shortID(ct.ID), err)
	}
	return nil
}

// Wait waits for the container to exit and returns its exit code. Unlike
// Run, it returns no error for a non-zero code.
func (ct *Container) Wait(ctx context.Context) (int, error) {
	return waitExit(ctx, ct.c, ct.version, ct.ID, ct.w)
}

// Stop stops the container: SIGTERM (or its StopSignal), then SIGKILL after
// timeout, rounded up to whole seconds; a negative timeout keeps the
// container's own. A container already stopped is no error.
func (ct *Container) Stop(ctx context.Context, timeout time.Duration) error {
	args := docker.Args{"id": ct.ID}
	if timeout >= 0 {
		args["t"] = int((timeout + time.Second - 1) / time.Second)
	}
	if err := ct.c.CallVersion(ctx, ct.version, "ContainerStop", args, nil); err != nil {
		if ct.auto && docker.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("task: stopping container %s: %w", shortID(ct.ID), err)
	}
	return nil
}

// Remove removes the container, killing it if it runs, with its anonymous
// volumes, and ends the wait Start registered. A container the daemon
// removes itself (AutoRemove) is no error.
func (ct *Container) Remove(ctx context.Context) error {
	err := removeContainer(ctx, ct.c, ct.version, ct.ID, ct.auto)
	if ct.w != nil {
		ct.w.stop()
	}
	return err
}

// prepare checks cfg, picks the API version and makes sure of the image.
func prepare(ctx context.Context, c *docker.Client, cfg *Config) (string, error) {
	if cfg.Image == "" {
		return "", errors.New("task: Config.Image is empty")
	}
	v, err := apiVersion(ctx, c, cfg.APIVersion)
	if err != nil {
		return "", err
	}
	if err := hostConfigAsMap(cfg); err != nil {
		return "", err
	}
	// The body decides: AutoRemove set in CreateBody's HostConfig counts.
	if hc, ok := cfg.CreateBody["HostConfig"].(map[string]any); ok && hc["AutoRemove"] == true {
		cfg.AutoRemove = true
	}
	if cfg.AutoRemove && !atLeast(v, waitCondition) {
		return "", fmt.Errorf("task: Config.AutoRemove needs API %s or newer, where the wait for the exit can be registered before the start (without it the exit code is lost with the container); the call uses %s. Leave AutoRemove off: Run removes the container itself", waitCondition, v)
	}
	if err := ensureImage(ctx, c, v, cfg); err != nil {
		return "", err
	}
	return v, nil
}

// hostConfigAsMap turns a CreateBody "HostConfig" given as another JSON
// value (a version package's HostConfig struct, say) into a map, on a copy
// of CreateBody, so that NetworkMode and AutoRemove merge into it and
// AutoRemove set there is seen.
func hostConfigAsMap(cfg *Config) error {
	hc, ok := cfg.CreateBody["HostConfig"]
	if !ok {
		return nil
	}
	if _, isMap := hc.(map[string]any); isMap {
		return nil
	}
	data, err := json.Marshal(hc)
	var m map[string]any
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		return fmt.Errorf("task: Config.CreateBody[\"HostConfig\"] (%T) is not a JSON object: %w", hc, err)
	}
	body := make(map[string]any, len(cfg.CreateBody))
	for k, v := range cfg.CreateBody {
		body[k] = v
	}
	body["HostConfig"] = m
	cfg.CreateBody = body
	return nil
}

// ensureImage pulls cfg.Image as cfg.Pull says.
func ensureImage(ctx context.Context, c *docker.Client, v string, cfg *Config) error {
	switch cfg.Pull {
	case PullNever:
		return nil
	case PullMissing:
		err := c.CallVersion(ctx, v, "ImageInspect", docker.Args{"name": cfg.Image}, nil)
		if err == nil {
			return nil
		}
		if !docker.IsNotFound(err) {
			return fmt.Errorf("task: looking for image %s: %w", cfg.Image, err)
		}
	case PullAlways:
	default:
		return fmt.Errorf("task: unknown Config.Pull %q (want PullMissing, PullAlways or PullNever)", cfg.Pull)
	}
	auth := cfg.RegistryAuth
	if auth == nil {
		var err error
		if auth, err = (docker.CredentialStore{}).Resolve(ctx, cfg.Image); err != nil {
			return fmt.Errorf("task: pulling %s: %w", cfg.Image, err)
		}
	}
	name, tag := splitRef(cfg.Image)
	var progress *docker.JSONStream[docker.JSONMessage]
	err := c.CallVersion(ctx, v, "ImageCreate", docker.Args{"fromImage": name, "tag": tag, "X-Registry-Auth": auth}, &progress)
	if err != nil {
		return fmt.Errorf("task: pulling %s: %w", cfg.Image, err)
	}
	defer progress.Close()
	for msg, err := range progress.All() {
		if err != nil {
			return fmt.Errorf("task: pulling %s: %w", cfg.Image, err)
		}
		if cfg.Progress != nil {
			cfg.Progress(msg)
		}
	}
	return nil
}

// splitRef splits an image reference into the fromImage and tag of
// ImageCreate: a digest goes in tag, as the daemon accepts it, and a
// reference without either gets "latest" (with no tag, old daemons pull
// every tag).
func splitRef(ref string) (name, tag string) {
	if i := strings.LastIndexByte(ref, '@'); i >= 0 {
		// name:tag@digest pulls by digest; the tag goes, as the CLI drops it.
		name = ref[:i]
		if j := strings.LastIndexByte(name, ':'); j > strings.LastIndexByte(name, '/') {
			name = name[:j]
		}
		return name, ref[i+1:]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[:i], ref[i+1:]
	}
	return ref, "latest"
}

// createBody is the ContainerCreate body cfg describes.
func createBody(cfg *Config, attach bool) map[string]any {
	body := map[string]any{"Image": cfg.Image}
	set := func(k string, v any, ok bool) {
		if ok {
			body[k] = v
		}
	}
	set("Cmd", cfg.Cmd, cfg.Cmd != nil)
	set("Entrypoint", cfg.Entrypoint, cfg.Entrypoint != nil)
	set("Env", cfg.Env, cfg.Env != nil)
	set("Labels", cfg.Labels, cfg.Labels != nil)
	set("Tty", true, cfg.TTY)
	set("WorkingDir", cfg.WorkingDir, cfg.WorkingDir != "")
	set("User", cfg.User, cfg.User != "")
	set("AttachStdout", true, attach)
	set("AttachStderr", true, attach)
	if cfg.Stdin != nil {
		body["AttachStdin"], body["OpenStdin"], body["StdinOnce"] = true, true, true
	}
	host := map[string]any{}
	if cfg.NetworkMode != "" {
		host["NetworkMode"] = cfg.NetworkMode
	}
	if cfg.AutoRemove {
		host["AutoRemove"] = true
	}
	for k, v := range cfg.CreateBody {
		if hc, ok := v.(map[string]any); ok && k == "HostConfig" {
			for hk, hv := range hc {
				host[hk] = hv
			}
			continue
		}
		body[k] = v
	}
	if _, replaced := body["HostConfig"]; !replaced && len(host) > 0 {
		body["HostConfig"] = host
	}
	return body
}

func create(ctx context.Context, c *docker.Client, v string, cfg *Config, attach bool) (string, error) {
	args := docker.Args{"body": createBody(cfg, attach)}
	if cfg.Name != "" {
		args["name"] = cfg.Name
	}
	var created struct {
		ID string `json:"Id"`
	}
	if err := c.CallVersion(ctx, v, "ContainerCreate", args, &created); err != nil {
		return "", fmt.Errorf("task: creating a container of %s: %w", cfg.Image, err)
	}
	if created.ID == "" {
		return "", fmt.Errorf("task: creating a container of %s: the daemon answered without an ID", cfg.Image)
	}
	return created.ID, nil
}

// remove force-removes a container with its anonymous volumes; it runs
// even when ctx has ended, for up to cleanupTimeout.
// removeContainer removes a container forcibly, with its anonymous
// volumes. One that removes itself (auto: HostConfig.AutoRemove) may be gone
// or going ("removal ... is already in progress"): that is no error, and
// it waits until it is gone (AutoRemove implies API 1.30, which has the
// condition).
func removeContainer(ctx context.Context, c *docker.Client, v, id string, auto bool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	err := c.CallVersion(ctx, v, "ContainerDelete", docker.Args{"id": id, "force": true, "v": true}, nil)
	if err != nil && auto && (docker.IsNotFound(err) || docker.IsConflict(err)) {
		args := docker.Args{"id": id, "condition": "removed"}
		if err := c.CallVersion(ctx, v, "ContainerWait", args, nil); err != nil && !docker.IsNotFound(err) {
			return fmt.Errorf("task: waiting for the removal of container %s: %w", shortID(id), err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("task: removing container %s: %w", shortID(id), err)
	}
	return nil
}

// exitWaiter is a ContainerWait registered with the daemon, read in a
// goroutine of its own.
type exitWaiter struct {
	done   chan struct{}
	code   int
	err    error
	cancel context.CancelFunc
}

// registerWait opens ContainerWait with condition next-exit and returns
// once the daemon has registered it: it sends the response's headers then,
// and the exit code when the container exits.
func registerWait(ctx context.Context, c *docker.Client, v, id string) (*exitWaiter, error) {
	ctx, cancel := context.WithCancel(ctx)
	var body io.ReadCloser
	if err := c.CallVersion(ctx, v, "ContainerWait", docker.Args{"id": id, "condition": "next-exit"}, &body); err != nil {
		cancel()
		return nil, fmt.Errorf("task: waiting for container %s: %w", shortID(id), err)
	}
	w := &exitWaiter{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(w.done)
		defer body.Close()
		w.code, w.err = decodeWait(body)
		if w.err != nil {
			w.err = fmt.Errorf("task: waiting for container %s: %w", shortID(id), w.err)
		}
	}()
	return w, nil
}

// stop ends the wait and its goroutine.
func (w *exitWaiter) stop() {
	w.cancel()
	<-w.done
}

// waitResult is ContainerWait's answer.
type waitResult struct {
	StatusCode int
	Error      *struct{ Message string }
}

func decodeWait(r io.Reader) (int, error) {
	var res waitResult
	if err := json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&res); err != nil {
		return 0, err
	}
	if res.Error != nil && res.Error.Message != "" {
		return 0, errors.New(res.Error.Message)
	}
	return res.StatusCode, nil
}

// exitPoll is how often waitExit looks at the container's state while a
// registered wait has not answered.
const exitPoll = 500 * time.Millisecond

// waitExit returns the exit code of a started container: from w, the wait
// registered before the start, when there is one; else from a wait opened
// now, which returns at once for a container that already exited. While
// w has not answered it also looks at the container's state, in case the
// daemon registered the wait later than it said (Podman sends the
// headers first).
func waitExit(ctx context.Context, c *docker.Client, v, id string, w *exitWaiter) (int, error) {
	if w == nil {
		var res waitResult
		if err := c.CallVersion(ctx, v, "ContainerWait", docker.Args{"id": id}, &res); err != nil {
			return 0, fmt.Errorf("task: waiting for container %s: %w", shortID(id), err)
		}
		if res.Error != nil && res.Error.Message != "" {
			return 0, fmt.Errorf("task: waiting for container %s: %s", shortID(id), res.Error.Message)
		}
		return res.StatusCode, nil
	}
	tick := time.NewTicker(exitPoll)
	defer tick.Stop()
	for {
		select {
		case <-w.done:
			return w.code, w.err
		case <-ctx.Done():
			return 0, fmt.Errorf("task: waiting for container %s: %w", shortID(id), ctx.Err())
		case <-tick.C:
			st, err := inspectState(ctx, c, v, id)
			if err == nil && st.exited() {
				return st.ExitCode, nil
			}
		}
	}
}

// containerState is the State of ContainerInspect.
type containerState struct {
	Status   string
	Running  bool
	ExitCode int
	Error    string
	Health   *struct {
		Status        string
		FailingStreak int
		Log           []struct {
			ExitCode int
			Output   string
		}
	}
}

func (s *containerState) exited() bool {
	return !s.Running && (s.Status == "exited" || s.Status == "dead")
}

func (s *containerState) String() string {
	switch {
	case s.exited():
		return fmt.Sprintf("%s with code %d", s.Status, s.ExitCode)
	case s.Status == "":
		return "in an unknown state"
	}
	return s.Status
}

func inspectState(ctx context.Context, c *docker.Client, v, id string) (*containerState, error) {
	var res struct{ State containerState }
	if err := c.CallVersion(ctx, v, "ContainerInspect", docker.Args{"id": id}, &res); err != nil {
		return nil, err
	}
	return &res.State, nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
