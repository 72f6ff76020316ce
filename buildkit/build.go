package buildkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/gensupport"
)

// Config describes a build.
type Config struct {
	// Context is the build context, a tar stream (buildcontext.Dir makes
	// one from a directory). It is read once, as it is sent.
	Context io.Reader
	// Dockerfile is the Dockerfile's path in the context; "Dockerfile"
	// when empty.
	Dockerfile string
	Tags       []string          // names for the image, "app:1" say
	BuildArgs  map[string]string // ARG values
	Labels     map[string]string
	Target     string   // the stage to build; the last when empty
	Platform   string   // "linux/arm64" say; the daemon's when empty
	NoCache    bool     // run every step again
	Pull       bool     // look for newer versions of the base images
	CacheFrom  []string // images whose build cache the build may reuse
	ExtraHosts []string // "host:IP" entries for /etc/hosts in RUN steps
	// NetworkMode is the network RUN steps get: "default", "none" or
	// "host" (which the daemon may refuse).
	NetworkMode string

	// Secrets are served to RUN --mount=type=secret,id=ID. They travel on
	// the build's session, never in the image or its history.
	Secrets []Secret
	// SSH are the agents served to RUN --mount=type=ssh[,id=ID].
	SSH []SSHAgent
	// Output, when set, receives the build's result as a tar stream of
	// its file system (docker build --output type=tar) instead of an
	// image: Build then returns no image ID. Needs API 1.40 or later.
	Output io.Writer

	// Credentials answers the daemon's questions for registry credentials
	// while it pulls base images. Nil uses docker.CredentialStore{}.Lookup
	// (the docker CLI's config.json and credential helpers).
	Credentials func(ctx context.Context, server string) (*docker.AuthConfig, error)

	// APIVersion pins the API version of the build's requests; the
	// client's negotiated version when empty. BuildKit needs 1.38 or later.
	APIVersion string
	// Progress, when set, receives each progress update (Build only;
	// with Start, read them with Next).
	Progress func(*Status)
}

// Secret is a value a build may mount: Data, or the contents of File
// (read when the build asks, at most 500 KiB).
type Secret struct {
	ID   string
	Data []byte
	File string
}

// SSHAgent is an SSH agent a build may use: RUN --mount=type=ssh,id=ID
// reaches the agent listening on Socket.
type SSHAgent struct {
	ID     string // "default" when empty
	Socket string // $SSH_AUTH_SOCK when empty
}

// ErrNoBuildKit is the error (wrapped) when the daemon cannot build with
// BuildKit: Podman, Windows, a daemon with BuildKit turned off, an API
// older than 1.38.
var ErrNoBuildKit = errors.New("the daemon does not build with BuildKit")

// minVersion is the first API version whose ImageBuild takes version=2.
const minVersion = 38

// Build runs a build to its end and returns the image's ID ("sha256:...").
// cfg.Progress, when set, receives the progress. A step that fails is a
// *BuildError; cancelling ctx stops the build on the daemon and ends the
// session.
func Build(ctx context.Context, c *docker.Client, cfg Config) (string, error) {
	j, err := Start(ctx, c, cfg)
	if err != nil {
		return "", err
	}
	defer j.Close()
	for j.Next() {
		if cfg.Progress != nil {
			cfg.Progress(j.Status())
		}
	}
	return j.ImageID(), j.Err()
}

// Job is a build under way: read its progress with Next and Status, then
// its result with ImageID and Err. Close ends it early.
type Job struct {
	cancel  context.CancelFunc
	ctx     context.Context
	stream  *docker.JSONStream[docker.JSONMessage]
	endSess func()
	output  bool // the result goes to Config.Output, not to an image

	// mu is held by Next while it reads, so that Close from another
	// goroutine (after cancelling, which ends the read) waits for it.
	mu    sync.Mutex
	cur   *Status
	id    string
	err   error
	done  bool
	steps steps
}

// Start checks that the daemon builds with BuildKit, opens a session that
// serves cfg's secrets, SSH agents and credentials, and starts the build.
// The caller reads the Job to its end, or closes it.
func Start(ctx context.Context, c *docker.Client, cfg Config) (*Job, error) {
	if cfg.Context == nil {
		return nil, errors.New("buildkit: Config.Context is nil: a build needs a context (buildcontext.Dir makes one)")
	}
	g, err := services(&cfg)
	if err != nil {
		return nil, err
	}
	v := cfg.APIVersion
	if v == "" {
		if v, err = c.Negotiate(ctx); err != nil {
			return nil, err
		}
	}
	minor, ok := apiMinor(v)
	if !ok {
		return nil, fmt.Errorf("buildkit: API version %q is not of the form 1.NN", v)
	}
	if minor < minVersion {
		return nil, fmt.Errorf("buildkit: API version %s: %w (BuildKit needs 1.%d or later)", v, ErrNoBuildKit, minVersion)
	}
	if cfg.Output != nil && minor < 40 {
		return nil, fmt.Errorf("buildkit: API version %s has no build outputs; Config.Output needs 1.40 or later", v)
	}
	ping, err := c.Ping(ctx)
	if err != nil {
		return nil, err
	}
	// Only Podman is refused on its /_ping (it builds with Buildah and has
	// no /session). Builder-Version is the builder the daemon recommends,
	// not the ones it has: a Docker daemon that says 1 still builds with
	// BuildKit when asked, as `DOCKER_BUILDKIT=1 docker build` does.
	if ping.PodmanVersion != "" {
		return nil, fmt.Errorf("buildkit: %w: it is Podman %s, which builds with Buildah", ErrNoBuildKit, ping.PodmanVersion)
	}

	ctx, cancel := context.WithCancel(ctx)
	j := &Job{cancel: cancel, ctx: ctx, output: cfg.Output != nil}
	sessionID := newID()
	conn, err := openSession(ctx, c, v, sessionID, g.methods(), ping)
	if err != nil {
		cancel()
		return nil, err
	}
	j.endSess = serveConn(conn.Conn(), g)

	args := docker.Args{
		"version":     "2",
		"session":     sessionID,
		"inputStream": cfg.Context,
		"dockerfile":  cfg.Dockerfile,
		"t":           cfg.Tags,
		"target":      cfg.Target,
		"platform":    cfg.Platform,
		"nocache":     cfg.NoCache,
		"networkmode": cfg.NetworkMode,
		"extrahosts":  cfg.ExtraHosts,
	}
	if cfg.Pull {
		args["pull"] = "1"
	}
	if len(cfg.BuildArgs) > 0 {
		args["buildargs"] = cfg.BuildArgs
	}
	if len(cfg.Labels) > 0 {
		args["labels"] = cfg.Labels
	}
	if len(cfg.CacheFrom) > 0 {
		args["cachefrom"] = cfg.CacheFrom
	}
	if cfg.Output != nil {
		args["outputs"] = []docker.BuildOutput{{Type: "tar"}}
	}
	for k, val := range args {
		if s, ok := val.(string); ok && s == "" {
			delete(args, k)
		}
		if s, ok := val.([]string); ok && len(s) == 0 {
			delete(args, k)
		}
	}
	if err := c.CallVersion(ctx, v, "ImageBuild", args, &j.stream); err != nil {
		j.endSess()
		cancel()
		return nil, err
	}
	return j, nil
}

// openSession asks the daemon for a session (POST /session, upgraded to
// h2c) that serves methods.
func openSession(ctx context.Context, c *docker.Client, v, id string, methods []string, ping docker.PingInfo) (*docker.HijackedConn, error) {
	r := gensupport.NewRequest("Session", v, "POST", "/session")
	r.Header("X-Docker-Expose-Session-Uuid", id)
	r.Header("X-Docker-Expose-Session-Name", "dockersdk")
	r.Header("X-Docker-Expose-Session-Sharedkey", id)
	for _, m := range methods {
		r.Header("X-Docker-Expose-Session-Grpc-Method", m)
	}
	conn := new(docker.HijackedConn)
	if err := gensupport.RuntimeOf(c).Open(ctx, r, conn); err != nil {
		if docker.IsNotFound(err) {
			// Docker 18.06 has /session only in experimental mode; Windows
			// daemons have no BuildKit.
			return nil, fmt.Errorf("buildkit: %w: POST /session: %v (the daemon's OS is %q, its /_ping recommends builder %q)",
				ErrNoBuildKit, err, ping.OSType, ping.BuilderVersion)
		}
		return nil, err
	}
	return conn, nil
}

// Next reads the next progress update; false at the end of the build or
// on an error (see Err). An update that cannot be decoded is skipped: a
// progress display's gap must not fail a build that did not fail.
func (j *Job) Next() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.done {
		return false
	}
	for j.stream.Next() {
		m := j.stream.Value()
		switch m.ID {
		case "moby.buildkit.trace":
			st, err := decodeTrace(m.Aux)
			if err != nil {
				continue
			}
			j.steps.track(st)
			j.cur = st
			return true
		case "moby.image.id":
			var res docker.BuildResult
			if ok, err := m.DecodeAux(&res); ok && err == nil {
				j.id = res.ID
			}
		}
	}
	err := j.stream.Err()
	if err == nil && j.id == "" && !j.output {
		err = errors.New("buildkit: the build ended without an image ID")
	}
	j.finish(err)
	return false
}

// Status is the update Next read.
func (j *Job) Status() *Status {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cur
}

// ImageID is the built image's ID, once Next has returned false without
// an error; "" for a build whose result went to Config.Output.
func (j *Job) ImageID() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return ""
	}
	return j.id
}

// Err is why the build failed: a *BuildError for a failed step, an error
// matching the context's error when it was cancelled or closed, nil after
// a success.
func (j *Job) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Close ends the build (the daemon stops it when its request goes away)
// and its session, and waits for the session's server and handlers. It
// may be called from another goroutine than Next's, and more than once.
func (j *Job) Close() error {
	j.cancel() // ends a read under way in Next
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.done {
		j.finish(context.Canceled)
	}
	return nil
}

// finish ends the job with err (nil for a success); j.mu is held.
func (j *Job) finish(err error) {
	j.done = true
	j.cur = nil
	if j.ctx.Err() != nil && (err != nil || j.id == "") {
		// Cancelled: whatever the stream said after that, and a clean end
		// that came with the cancel but without a result, is the cancel.
		err = fmt.Errorf("buildkit: build cancelled: %w", context.Cause(j.ctx))
	}
	j.cancel()
	j.stream.Close()
	j.endSess()
	var se *docker.StreamError
	if errors.As(err, &se) {
		err = j.steps.buildError(se)
	}
	j.err = err
}

func apiMinor(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "1.")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// BuildError is a build that failed: the step that did, when the daemon
// said which, and the last lines it printed.
type BuildError struct {
	Step     string   // the vertex's name, "[2/3] RUN make" say; "" when unknown
	Message  string   // the daemon's error
	ExitCode int      // the failed command's exit code; 0 when not a command's exit
	Logs     []string // the step's last lines of output, oldest first
}

func (e *BuildError) Error() string {
	var b strings.Builder
	b.WriteString("buildkit: ")
	if e.Step != "" {
		fmt.Fprintf(&b, "step %q failed: ", e.Step)
	}
	b.WriteString(e.Message)
	if len(e.Logs) > 0 {
		b.WriteString("\nlast output:")
		for _, l := range e.Logs {
			b.WriteString("\n  ")
			b.WriteString(l)
		}
	}
	return b.String()
}

// Step logs kept for errors: the last lines of each vertex, bounded so
// that a chatty or hostile build cannot grow memory.
const (
	keepLines   = 20
	maxLineLen  = 1024
	maxVertexes = 4096
)

type step struct {
	name    string
	lines   []string
	partial []byte
}

type steps struct {
	byDigest map[string]*step
	failed   *step // the last vertex that reported an error
}

func (s *steps) get(digest string) *step {
	if s.byDigest == nil {
		s.byDigest = map[string]*step{}
	}
	st, ok := s.byDigest[digest]
	if !ok {
		if len(s.byDigest) >= maxVertexes {
			return nil
		}
		st = &step{}
		s.byDigest[digest] = st
	}
	return st
}

func (s *steps) track(st *Status) {
	for i := range st.Vertexes {
		v := &st.Vertexes[i]
		if p := s.get(v.Digest); p != nil {
			p.name = truncate(v.Name, maxLineLen)
			if v.Error != "" {
				s.failed = p
			}
		}
	}
	for _, l := range st.Logs {
		if p := s.get(l.Vertex); p != nil {
			p.add(l.Data)
		}
	}
}

func (p *step) add(data []byte) {
	p.lines = append(p.lines, splitLines(&p.partial, data)...)
	if len(p.lines) > keepLines {
		p.lines = p.lines[len(p.lines)-keepLines:]
	}
}

// truncate cuts s to at most n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

var exitCodeRE = regexp.MustCompile(`exit code: (\d+)\s*$`)

// buildError names the step that failed in the daemon's error.
func (s *steps) buildError(se *docker.StreamError) *BuildError {
	e := &BuildError{Message: se.Message, ExitCode: se.Code}
	if p := s.failed; p != nil {
		e.Step = p.name
		e.Logs = append([]string(nil), p.lines...)
		if len(p.partial) > 0 {
			e.Logs = append(e.Logs, string(p.partial))
		}
	}
	if e.ExitCode == 0 {
		if m := exitCodeRE.FindStringSubmatch(se.Message); m != nil {
			e.ExitCode, _ = strconv.Atoi(m[1])
		}
	}
	return e
}
