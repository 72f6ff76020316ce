package gen

import (
	"fmt"
	"strconv"
)

// paramShape is everything the generator does with one Setter, so that a
// new shape of parameter is a new Setter and its entry in shapes: the
// builder (model.go param) picks the Setter, and render, the operation
// table and the contract calls all ask its entry.
type paramShape struct {
	dyn DynKind // what Client.Call accepts (DynInt of a float is DynNumber: see Param.Dyn)
	// code is the statement that puts the parameter into request r.
	code       func(a setterArgs) string
	gensupport bool // code calls package gensupport
	// doc, if set, is added to the options field's doc.
	doc func(a setterArgs) string
	// sample is a contract call's value, using package samplePkg besides
	// docker; "" builds one from the Go type (sampleValue).
	sample, samplePkg string
}

// setterArgs is what a shape's code and doc see of one parameter.
type setterArgs struct {
	p    *Param
	op   *Operation
	pkg  *Package
	v    string // the Go value: opts.Name, or the path argument
	name string // the spec's name, quoted
}

// asString is v as a string: an enum is converted.
func (a setterArgs) asString() string {
	if a.p.GoType.Equal(typeString) {
		return a.v
	}
	return "string(" + a.v + ")"
}

// call renders r.method(name, v); helper renders gensupport.method(r,
// name, v).
func call(method string) func(setterArgs) string {
	return func(a setterArgs) string {
		return fmt.Sprintf("r.%s(%s, %s)", method, a.name, a.v)
	}
}

func helper(method string) func(setterArgs) string {
	return func(a setterArgs) string {
		return fmt.Sprintf("gensupport.%s(r, %s, %s)", method, a.name, a.v)
	}
}

var shapes = [numSetters]paramShape{
	SetPath: {dyn: DynString, sample: `"x"`, code: call("PathParam")},
	SetQuery: {dyn: DynString, code: func(a setterArgs) string {
		return fmt.Sprintf("r.Query(%s, %s)", a.name, a.asString())
	}},
	SetQueryRequired: {dyn: DynString, code: func(a setterArgs) string {
		return fmt.Sprintf("r.QueryRequired(%s, %s)", a.name, a.asString())
	}},
	SetQueryBool:           {dyn: DynBool, code: call("QueryBool")},
	SetQueryBoolPtr:        {dyn: DynBool, code: call("QueryBoolPtr")},
	SetQueryNumber:         {dyn: DynInt, gensupport: true, code: helper("QueryNumber")},
	SetQueryNumberRequired: {dyn: DynInt, gensupport: true, code: helper("QueryNumberRequired")},
	SetQueryStrings:        {dyn: DynStrings, code: call("QueryStrings")},
	SetQueryJoined: {dyn: DynStrings, code: func(a setterArgs) string {
		return fmt.Sprintf("r.QueryJoined(%s, %s, %q)", a.name, a.v, a.p.Sep)
	}},
	SetQueryJSON:         {dyn: DynJSON, code: call("QueryJSON")},
	SetQueryJSONEach:     {dyn: DynJSONEach, gensupport: true, code: helper("QueryJSONEach")},
	SetQueryJSONRequired: {dyn: DynJSON, code: call("QueryJSONRequired")},
	SetHeader:            {dyn: DynString, code: call("Header")},
	SetAuth: {dyn: DynAuth, gensupport: true, code: func(a setterArgs) string {
		return fmt.Sprintf("gensupport.RegistryAuth(r, %s, false)", a.v)
	}},
	SetAuthRequired: {dyn: DynAuth, gensupport: true, code: func(a setterArgs) string {
		return fmt.Sprintf("gensupport.RegistryAuth(r, %s, true)", a.v)
	}},
	SetAuthConfigs: {dyn: DynJSON, gensupport: true, code: func(a setterArgs) string {
		return fmt.Sprintf("gensupport.RegistryConfig(r, %s)", a.v)
	}},
	SetReader: {dyn: DynReader, sample: readerSample, samplePkg: "strings", code: func(a setterArgs) string {
		return fmt.Sprintf("r.RawBody(%s, %q)", a.v, bodyContentType(a.op))
	}},
	SetReaderRequired: {dyn: DynReader, sample: readerSample, samplePkg: "strings", code: func(a setterArgs) string {
		return fmt.Sprintf("r.RequireBody(%s, %s != nil)\n\tr.RawBody(%s, %q)", a.name, a.v, a.v, bodyContentType(a.op))
	}},
	SetBody: {dyn: DynBody, code: func(a setterArgs) string {
		return fmt.Sprintf("r.JSONBody(%s)", a.v)
	}},
	SetBodyRequired: {dyn: DynBody, code: func(a setterArgs) string {
		return fmt.Sprintf("r.RequireBody(%s, %s != nil)\n\tr.JSONBody(%s)", a.name, a.v, a.v)
	}},
	// An optional JSON body left nil is sent empty ({} or []), never left
	// out: daemons before 23.0 and Podman answer a request without one
	// "400 Bad Request: got EOF while reading request body", and newer
	// daemons read an empty value as no body.
	SetBodyOptional: {dyn: DynBody,
		code: func(a setterArgs) string {
			empty, _ := a.emptyBody()
			return fmt.Sprintf("if %s != nil {\n\t\tr.JSONBody(%s)\n\t} else {\n\t\tr.JSONBody(%s)\n\t}", a.v, a.v, empty)
		},
		doc: func(a setterArgs) string {
			_, empty := a.emptyBody()
			return "Left nil, " + empty + " is sent: older daemons refuse a request without a body."
		}},
}

// emptyBody is what an optional body left nil is sent as: a Go value and
// the JSON it encodes to.
func (a setterArgs) emptyBody() (value, json string) {
	if a.pkg.jsonShape(a.p.GoType) == shapeArray {
		return "[]struct{}{}", "[]"
	}
	return "struct{}{}", "{}"
}

const readerSample = `strings.NewReader("data")`

func (s Setter) shape() paramShape { return shapes[s] }

// Dyn is what Client.Call accepts for the parameter.
func (p *Param) Dyn() DynKind {
	d := p.Setter.shape().dyn
	if t := p.GoType.Deref(); d == DynInt && (t.Equal(builtinType("float64")) || t.Equal(builtinType("float32"))) {
		return DynNumber
	}
	return d
}

// setter renders the statement that puts one parameter into the request.
// Each skips a value that was not set; see gensupport.Request.
func setter(pkg *Package, op *Operation, p *Param) string {
	return p.Setter.shape().code(setterArgsOf(pkg, op, p))
}

func setterArgsOf(pkg *Package, op *Operation, p *Param) setterArgs {
	v := "opts." + p.GoName
	if p.In == "path" {
		v = p.GoName
	}
	return setterArgs{p: p, op: op, pkg: pkg, v: v, name: strconv.Quote(p.Name)}
}
