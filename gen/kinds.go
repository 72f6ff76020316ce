package gen

// The model's decisions, as small enums rather than free strings: a
// misspelt kind is a compile error, and a rule that concerns one kind
// (an optional body is sent empty) is one case of a switch.

// TypeKind is what a named Go type of a version package is.
type TypeKind string

const (
	KindStruct TypeKind = "struct"
	KindEnum   TypeKind = "enum"
	KindNamed  TypeKind = "named" // a named type over another type expression
)

// ResultKind is what a method returns besides error.
type ResultKind string

const (
	ResultNone    ResultKind = "none"
	ResultJSON    ResultKind = "json"    // a decoded JSON value
	ResultText    ResultKind = "text"    // a plain-text body as a string
	ResultHeaders ResultKind = "headers" // response headers in an <Op>Result struct
	ResultStream  ResultKind = "stream"  // see StreamKind
)

// StreamKind is how a streamed answer is read (x-sdk-stream in
// specs/fixes.yaml).
type StreamKind string

const (
	StreamNone      StreamKind = ""
	StreamJSON      StreamKind = "json"      // one JSON value after another
	StreamOutput    StreamKind = "output"    // container output, multiplexed or raw
	StreamHijack    StreamKind = "hijack"    // the connection becomes a raw two-way stream
	StreamWebSocket StreamKind = "websocket" // a WebSocket
	StreamBinary    StreamKind = "binary"    // a download such as a tar archive
)

// Setter is the shape of a parameter: how it is put into the request, and
// what else the generator does with it (shapes.go).
type Setter int

const (
	SetPath                Setter = iota // a path argument
	SetQuery                             // a string, sent when non-empty
	SetQueryRequired                     // a string the operation needs
	SetQueryBool                         // a flag whose default is false: sent when true
	SetQueryBoolPtr                      // a *bool: sent when set
	SetQueryNumber                       // a pointer to a number: sent when set
	SetQueryNumberRequired               // a number the operation needs
	SetQueryStrings                      // a list, one parameter per value
	SetQueryJoined                       // a list joined by Param.Sep
	SetQueryJSON                         // a Go value sent as JSON
	SetQueryJSONEach                     // a list, one JSON value per parameter
	SetQueryJSONRequired                 // a JSON value the operation needs
	SetHeader                            // a header string
	SetAuth                              // X-Registry-Auth
	SetAuthRequired                      // X-Registry-Auth the daemon insists on, even empty
	SetAuthConfigs                       // X-Registry-Config
	SetReader                            // a raw body (tar archive), sent when non-nil
	SetReaderRequired                    // a raw body the operation needs
	SetBody                              // a JSON body value, always sent
	SetBodyOptional                      // a JSON body pointer, list or map: sent empty ({} or []) when nil
	SetBodyRequired                      // a JSON body list or map the operation needs

	numSetters // not a Setter: how many there are
)

// DynKind is what Client.Call accepts for a parameter: the kind<Name>
// constants of the root package's operation table (call.go paramKind).
type DynKind uint8

const (
	DynString   DynKind = iota // a string
	DynBool                    // a bool
	DynInt                     // an integer
	DynNumber                  // a float
	DynStrings                 // a list of strings
	DynJSON                    // any value encoded as JSON
	DynJSONEach                // a list, one JSON value per repeat
	DynAuth                    // a docker.AuthConfig
	DynBody                    // a JSON body: RenderOpTable says object or array where it can
	DynReader                  // a raw body
)

// constName is the root package's constant for k.
func (k DynKind) constName() string {
	return [...]string{"kindString", "kindBool", "kindInt", "kindNumber", "kindStrings",
		"kindJSON", "kindJSONEach", "kindAuth", "kindBody", "kindReader"}[k]
}
