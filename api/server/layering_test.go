package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAPIBuildsNoSQL keeps the routers thin, as Gitea's are: nothing under api imports bun, and
// no handler or command reaches the transaction's database handle (tenants.DB, Tx.DB, Tx.Pgx).
// The services own their tables and return what the pages need.
func TestAPIBuildsNoSQL(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "github.com/uptrace/bun" || strings.HasPrefix(p, "github.com/uptrace/bun/") {
				t.Errorf("%s imports %s: SQL belongs to the service that owns the table", path, p)
			}
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil // tests may read what they assert through the harness
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "tenants" && sel.Sel.Name == "DB" {
				t.Errorf("%s: tenants.DB: a handler asks a service, it does not query", fset.Position(sel.Pos()))
			}
			if sel.Sel.Name == "Pgx" {
				t.Errorf("%s: Pgx: a handler asks a service, it does not query", fset.Position(sel.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 30 {
		t.Fatalf("read %d Go files under api; the walk missed the tree", files)
	}
}
