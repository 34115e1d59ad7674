package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants"
)

// documentsCmd is `yichuang documents check [--tenant CODE|UUID] [--restore]`: the object
// half of a point-in-time restore (infra/scripts/backup.sh). Every object version a row pins
// must exist in MinIO; with --restore, a document version overwritten or deleted after the
// restore point is made the newest again. Exit status 1 when the documents bucket is not
// versioned or a pinned version is missing.
func documentsCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return errors.New("usage: yichuang documents check [--tenant CODE|UUID] [--restore]")
	}
	fs := flag.NewFlagSet("documents check", flag.ExitOnError)
	ref := fs.String("tenant", "", "tenant code or id (default: every county)")
	restore := fs.Bool("restore", false, "make each pinned version that was overwritten or deleted the newest again")
	_ = fs.Parse(args[1:])
	d, err := open(ctx, nil)
	if err != nil {
		return err
	}
	defer d.pool.Close()
	if d.storage == nil {
		return errors.New("YC_MINIO_ENDPOINT is not set: there are no objects to check")
	}
	return checkDocuments(ctx, d.store, d.storage, d.svc.Docs, *ref, *restore, os.Stdout)
}

func checkDocuments(ctx context.Context, store *tenants.Store, st *storage.Store, docs *document.Service, ref string, restore bool, out io.Writer) error {
	versioned, err := st.DocumentsVersioned(ctx)
	if err != nil {
		return fmt.Errorf("documents bucket: %w", err)
	}
	if !versioned {
		return errors.New("the documents bucket is not versioned: an overwrite or a delete loses the bytes a restored row points at (serve turns versioning on at start)")
	}
	fmt.Fprintln(out, "documents bucket: versioning enabled / 文档桶已开启多版本")
	var counties []tenants.Tenant
	if ref != "" {
		id, err := tenants.ParseRef(ref)
		if err != nil {
			return err
		}
		counties = []tenants.Tenant{{ID: id, Code: ref}}
	} else if counties, err = store.ListEvery(ctx); err != nil {
		return err
	}
	var missing []string
	for _, c := range counties {
		var rep *document.ObjectReport
		err := store.InTx(ctx, c.ID, func(ctx context.Context) error {
			if _, err := tenants.Current(ctx); err != nil {
				return fmt.Errorf("tenant %s: %w", c.Code, err)
			}
			var err error
			rep, err = docs.CheckObjects(ctx, restore)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: %d objects referenced, %d present, %d missing; %d overwritten or deleted since, %d restored as the newest version\n",
			c.Code, rep.Referenced, rep.Present, len(rep.Missing), rep.Covered, rep.Promoted)
		for _, m := range rep.Missing {
			missing = append(missing, c.Code+": "+m)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d referenced object versions are missing / 缺少 %d 个被引用的对象版本:\n  %s", len(missing), len(missing), strings.Join(missing, "\n  "))
	}
	return nil
}
