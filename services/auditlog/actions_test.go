package auditlog_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/status"
)

// enumerated are the parts of action codes the source cannot spell out: a request field or a
// typed value, keyed by package directory and expression. Each list comes from the code that
// checks the value (an enum tag, the state table), so a new value shows up here by itself.
func enumerated() map[string][]string {
	var lc []string
	for _, a := range lifecycle.Actions {
		lc = append(lc, string(a))
	}
	enum := func(v any, field string) []string {
		f, ok := reflect.TypeOf(v).FieldByName(field)
		if !ok || f.Tag.Get("enum") == "" {
			panic("no enum tag on " + field)
		}
		return strings.Split(f.Tag.Get("enum"), ",")
	}
	return map[string][]string{
		"services/application in.Action": lc,
		"services/access d.Decision":     enum(access.Decision{}, "Decision"),
		"services/status in.Action":      enum(status.CaseAction{}, "Action"),
	}
}

// TestEveryWrittenActionHasALabel reads every non-test Go file of the workspace, finds each
// tenants.Change literal, works out every action code (and object kind) it can write — string
// literals, concatenations, variables assigned in the function, parameters followed to their
// callers, map lookups — and fails when one has no Chinese label, or when a code cannot be
// worked out (make it a literal, or list its values in enumerated).
func TestEveryWrittenActionHasALabel(t *testing.T) {
	t.Parallel()
	root := workspaceRoot(t)
	enums := enumerated()
	codes, kinds := map[string]string{}, map[string]string{}
	for _, top := range []string{"tenants", "services", "jobs", "api"} {
		for dir, pkg := range parseDirs(t, filepath.Join(root, top)) {
			rel, _ := filepath.Rel(root, dir)
			rel = filepath.ToSlash(rel)
			for _, lit := range changeLiterals(pkg) {
				for field, into := range map[string]map[string]string{"Action": codes, "TargetType": kinds} {
					e := fieldOf(lit.lit, field)
					if e == nil {
						t.Errorf("%s: a tenants.Change without %s", pkg.fset.Position(lit.lit.Pos()), field)
						continue
					}
					vals, missing := pkg.eval(e, lit.fn, 0)
					for _, m := range missing {
						if ev, ok := enums[rel+" "+m.expr]; ok {
							for _, p := range m.prefixes {
								for _, v := range ev {
									vals = append(vals, p+v)
								}
							}
							continue
						}
						t.Errorf("%s: cannot tell which %s %q writes; make it a string literal or add %q to enumerated()",
							pkg.fset.Position(e.Pos()), field, m.expr, rel+" "+m.expr)
					}
					for _, v := range vals {
						into[v] = pkg.fset.Position(e.Pos()).String()
					}
				}
			}
		}
	}
	if len(codes) < 60 {
		t.Fatalf("found only %d action codes; the scan is broken", len(codes))
	}
	for _, must := range []string{"application.accept", "application.intake", "item.publish", "admission.abandon", "access_item.admit", "rectification.impossible", "document.upload.complete", "task.refuse", "calendar.year_delete", "audit.export"} {
		if _, ok := codes[must]; !ok {
			t.Errorf("the scan missed %s", must)
		}
	}
	var unlabelled []string
	for code, at := range codes {
		if auditlog.ActionLabel(code) == "" {
			unlabelled = append(unlabelled, code+" (written at "+at+")")
		}
	}
	for kind, at := range kinds {
		if auditlog.TargetLabel(kind) == kind {
			unlabelled = append(unlabelled, "object kind "+kind+" (written at "+at+")")
		}
	}
	sort.Strings(unlabelled)
	for _, u := range unlabelled {
		t.Errorf("no Chinese label in services/auditlog/actions.go for %s", u)
	}
	if got, want := auditlog.ActionLabel("application.accept"), "受理"; got != want {
		t.Errorf("application.accept is %q, want %q", got, want)
	}
	if got, want := auditlog.ActionLabel("item.publish"), "发布事项"; got != want {
		t.Errorf("item.publish is %q, want %q", got, want)
	}
}

func workspaceRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.work above the test")
		}
		dir = parent
	}
}

type pkgSrc struct {
	fset  *token.FileSet
	files []*ast.File
	funcs map[string][]*ast.FuncDecl
	// calls of each function or method name in the package, with the function they are in.
	calls map[string][]call
}

type call struct {
	expr *ast.CallExpr
	in   *ast.FuncDecl
}

type literal struct {
	lit *ast.CompositeLit
	fn  *ast.FuncDecl
}

// missing is an expression the scan could not spell out, with the literal prefixes it was
// concatenated to.
type missing struct {
	expr     string
	prefixes []string
}

func parseDirs(t *testing.T, top string) map[string]*pkgSrc {
	out := map[string]*pkgSrc{}
	err := filepath.WalkDir(top, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "node_modules" || n == "testdata" || strings.HasPrefix(n, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		p := out[dir]
		if p == nil {
			p = &pkgSrc{fset: token.NewFileSet(), funcs: map[string][]*ast.FuncDecl{}, calls: map[string][]call{}}
			out[dir] = p
		}
		f, err := parser.ParseFile(p.fset, path, nil, 0)
		if err != nil {
			return err
		}
		p.files = append(p.files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range out {
		for _, f := range p.files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				p.funcs[fn.Name.Name] = append(p.funcs[fn.Name.Name], fn)
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok {
						switch f := c.Fun.(type) {
						case *ast.Ident:
							p.calls[f.Name] = append(p.calls[f.Name], call{c, fn})
						case *ast.SelectorExpr:
							p.calls[f.Sel.Name] = append(p.calls[f.Sel.Name], call{c, fn})
						}
					}
					return true
				})
			}
		}
	}
	return out
}

// changeLiterals finds tenants.Change{...} (Change{...} inside package tenants).
func changeLiterals(p *pkgSrc) []literal {
	var out []literal
	for _, f := range p.files {
		inTenants := f.Name.Name == "tenants"
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				cl, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				switch ty := cl.Type.(type) {
				case *ast.SelectorExpr:
					if x, ok := ty.X.(*ast.Ident); ok && x.Name == "tenants" && ty.Sel.Name == "Change" {
						out = append(out, literal{cl, fn})
					}
				case *ast.Ident:
					if inTenants && ty.Name == "Change" {
						out = append(out, literal{cl, fn})
					}
				}
				return true
			})
		}
	}
	return out
}

func fieldOf(cl *ast.CompositeLit, name string) ast.Expr {
	for _, e := range cl.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == name {
				return kv.Value
			}
		}
	}
	return nil
}

// eval lists the strings e can be inside fn.
func (p *pkgSrc) eval(e ast.Expr, fn *ast.FuncDecl, depth int) ([]string, []missing) {
	if depth > 6 {
		return nil, []missing{{expr: types.ExprString(e), prefixes: []string{""}}}
	}
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			s, err := strconv.Unquote(x.Value)
			if err == nil {
				return []string{s}, nil
			}
		}
	case *ast.ParenExpr:
		return p.eval(x.X, fn, depth)
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			left, lm := p.eval(x.X, fn, depth)
			right, rm := p.eval(x.Y, fn, depth)
			var out []string
			for _, l := range left {
				for _, r := range right {
					out = append(out, l+r)
				}
			}
			// An unknown right-hand part keeps the known left-hand prefixes.
			for i := range rm {
				var pre []string
				for _, l := range left {
					for _, q := range rm[i].prefixes {
						pre = append(pre, l+q)
					}
				}
				rm[i].prefixes = pre
			}
			return out, append(lm, rm...)
		}
	case *ast.CallExpr:
		// string(x) and similar conversions
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "string" && len(x.Args) == 1 {
			return p.eval(x.Args[0], fn, depth)
		}
	case *ast.IndexExpr:
		// map[...]string{...}[k]: any of its values
		if cl, ok := x.X.(*ast.CompositeLit); ok {
			var out []string
			var miss []missing
			for _, el := range cl.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					v, m := p.eval(kv.Value, fn, depth+1)
					out, miss = append(out, v...), append(miss, m...)
				}
			}
			return out, miss
		}
	case *ast.Ident:
		return p.evalIdent(x, fn, depth)
	}
	return nil, []missing{{expr: types.ExprString(e), prefixes: []string{""}}}
}

// evalIdent: every value assigned to the variable in fn, or, for a parameter, every argument
// its callers in the package pass.
func (p *pkgSrc) evalIdent(id *ast.Ident, fn *ast.FuncDecl, depth int) ([]string, []missing) {
	var out []string
	var miss []missing
	found := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			for i, l := range s.Lhs {
				if li, ok := l.(*ast.Ident); ok && li.Name == id.Name && len(s.Rhs) == len(s.Lhs) {
					found = true
					v, m := p.eval(s.Rhs[i], fn, depth+1)
					out, miss = append(out, v...), append(miss, m...)
				}
			}
		case *ast.ValueSpec:
			for i, n := range s.Names {
				if n.Name == id.Name && i < len(s.Values) {
					found = true
					v, m := p.eval(s.Values[i], fn, depth+1)
					out, miss = append(out, v...), append(miss, m...)
				}
			}
		}
		return true
	})
	if found {
		return out, miss
	}
	idx := 0
	for _, field := range fn.Type.Params.List {
		for _, n := range field.Names {
			if n.Name == id.Name {
				callers := p.calls[fn.Name.Name]
				if len(callers) == 0 {
					return nil, []missing{{expr: id.Name, prefixes: []string{""}}}
				}
				for _, c := range callers {
					if idx >= len(c.expr.Args) {
						continue
					}
					v, m := p.eval(c.expr.Args[idx], c.in, depth+1)
					out, miss = append(out, v...), append(miss, m...)
				}
				return out, miss
			}
			idx++
		}
	}
	return nil, []missing{{expr: id.Name, prefixes: []string{""}}}
}
