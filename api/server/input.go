package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/problem"
)

// DefaultMaxLength bounds every string of a request body that declares no tighter limit. A
// free-text field of a county form (a reason, a note, an item's conditions) stays well under
// it; an attacker's 600,000 characters do not.
const DefaultMaxLength = 2000

// limitStrings gives every string in every JSON request body a maxLength: DefaultMaxLength
// where the field declares none. It runs once all operations are registered, so a new
// endpoint's fields are limited without anyone remembering to; huma validates the limit and
// answers 422 with the field. Enumerations are limited by their values already.
func limitStrings(oapi *huma.OpenAPI) {
	reg := oapi.Components.Schemas
	seen := map[*huma.Schema]bool{}
	var walk func(s *huma.Schema)
	walk = func(s *huma.Schema) {
		if s == nil {
			return
		}
		if s.Ref != "" {
			s = reg.SchemaFromRef(s.Ref)
			if s == nil {
				return
			}
		}
		if seen[s] {
			return
		}
		seen[s] = true
		if s.Type == "string" && s.MaxLength == nil && len(s.Enum) == 0 && s.Format != "binary" {
			n := DefaultMaxLength
			s.MaxLength = &n
			s.PrecomputeMessages()
		}
		walk(s.Items)
		for _, p := range s.Properties {
			walk(p)
		}
		if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
			walk(ap)
		}
		for _, set := range [][]*huma.Schema{s.OneOf, s.AnyOf, s.AllOf} {
			for _, sub := range set {
				walk(sub)
			}
		}
	}
	for _, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Patch, item.Delete} {
			if op == nil || op.RequestBody == nil {
				continue
			}
			for ct, mt := range op.RequestBody.Content {
				if isJSON(ct) && mt != nil {
					walk(mt.Schema)
				}
			}
		}
	}
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = contentType
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// rejectNUL answers 422, naming the field, for a NUL character in any parameter or in any
// string of a JSON body. PostgreSQL cannot store NUL in text, so such a value would otherwise
// fail deep in a query as a 500; it is never a user's real input.
func (s *Server) rejectNUL(hctx huma.Context, next func(huma.Context)) {
	op := hctx.Operation()
	refuse := func(loc string) {
		_ = huma.WriteErr(s.api, hctx, 422, "", problem.Invalid(problem.Field{Location: loc,
			Message: "不能包含空字符（NUL）", MessageEn: "must not contain the NUL character"}))
	}
	for _, p := range op.Parameters {
		var v string
		switch p.In {
		case "path":
			v = hctx.Param(p.Name)
		case "header":
			v = hctx.Header(p.Name)
		case "cookie":
			continue
		}
		if strings.ContainsRune(v, 0) {
			refuse(p.In + "." + p.Name)
			return
		}
	}
	u := hctx.URL()
	if strings.ContainsRune(u.Path, 0) {
		refuse("path")
		return
	}
	for k, vs := range u.Query() { // declared or not: huma may ignore unknown ones, a handler may not
		for _, v := range vs {
			if strings.ContainsRune(v, 0) || strings.ContainsRune(k, 0) {
				refuse("query." + printable(k))
				return
			}
		}
	}
	if op.RequestBody == nil || !jsonRequest(op, hctx.Header("Content-Type")) {
		next(hctx)
		return
	}
	limit := op.MaxBodyBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	body := hctx.BodyReader()
	if body == nil {
		next(hctx)
		return
	}
	buf, err := io.ReadAll(io.LimitReader(body, limit+1))
	replay := &replayBody{humaContext: hctx, r: io.MultiReader(bytes.NewReader(buf), body)}
	if err != nil || int64(len(buf)) > limit {
		next(replay) // too large or cut short: huma answers it as it would have
		return
	}
	if loc, found := nulInJSON(buf); found {
		refuse(loc)
		return
	}
	next(replay)
}

// jsonRequest: the body is parsed as JSON — the request says so, or says nothing and the
// operation takes JSON.
func jsonRequest(op *huma.Operation, contentType string) bool {
	if contentType != "" {
		return isJSON(contentType)
	}
	_, ok := op.RequestBody.Content["application/json"]
	return ok
}

// replayBody hands the operation the body rejectNUL has already read.
type replayBody struct {
	humaContext
	r io.Reader
}

// humaContext names the embedded context so its Context method is promoted.
type humaContext = huma.Context

func (c *replayBody) BodyReader() io.Reader { return c.r }

// Unwrap lets adapter helpers reach the original context.
func (c *replayBody) Unwrap() huma.Context { return c.humaContext }

// nulInJSON returns where in a JSON document a string (a value or a key) holds a NUL
// character, in huma's location form (body.applicant.name, body.materials[2].note).
func nulInJSON(data []byte) (string, bool) {
	if !bytes.Contains(data, []byte(`\u0000`)) {
		return "", false // the only way to write NUL in valid JSON
	}
	type frame struct {
		object    bool
		expectKey bool
		key       string
		index     int
	}
	var stack []*frame
	path := func(last string) string {
		var b strings.Builder
		b.WriteString("body")
		for _, f := range stack {
			if f.object {
				if f.key != "" || !f.expectKey {
					b.WriteString("." + f.key)
				}
			} else {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		if last != "" {
			b.WriteString("." + last)
		}
		return b.String()
	}
	done := func() {
		if n := len(stack); n > 0 {
			if top := stack[n-1]; top.object {
				top.expectKey = true
			} else {
				top.index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // malformed (huma says so) or the end
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &frame{object: true, expectKey: true})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				top := stack[n-1]
				if strings.ContainsRune(v, 0) {
					top.key = ""
					return path(printable(v)), true
				}
				top.key, top.expectKey = v, false
				continue
			}
			if strings.ContainsRune(v, 0) {
				return path(""), true
			}
			done()
		default:
			done()
		}
	}
}

// printable shows a NUL in a name as the JSON escape that sent it.
func printable(s string) string { return strings.ReplaceAll(s, "\x00", `\u0000`) }
