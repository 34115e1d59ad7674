// Command yichuang is the whole product in one binary: the API and frontend server, the
// River workers, migrations and the operator's tools. Run `yichuang help` for the list.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/frontend"
	"github.com/yichuang/yichuang/jobs"
	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/demo"
	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/services/tenancy"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/migration"
)

const usage = `yichuang — 一窗 政务服务一窗受理平台

Usage:
  yichuang serve [--addr ADDR] [--api-only | --workers-only] [--max-workers N]
  yichuang migrate
  yichuang tenant create --code CODE --name NAME [--region-code 6DIGITS] [--city-code 6DIGITS] --admin-name NAME --admin-phone PHONE --admin-password PASSWORD
  yichuang seed-demo [--password PASSWORD] [--json FILE]
  yichuang audit verify --tenant CODE|UUID      (the chain, and its newest anchor in the archive bucket)
  yichuang documents check [--tenant CODE|UUID] [--restore]   (every object version a row pins exists; after a
      point-in-time restore, --restore makes each one overwritten or deleted since the newest again)
  yichuang calendar due --from YYYY-MM-DD --days N [--explain] [--tenant CODE|UUID]
  yichuang workforce level --post head|deputy|staff --hired YYYY-MM-DD [--education none|college|bachelor|master|doctor]
      [--certificate none|junior|intermediate|senior] [--as-of YYYY-MM-DD] [--unsatisfactory-years 2019,2021] [--explain]
  yichuang openapi

Configuration is read from the environment (see README.md): DATABASE_URL, APP_DATABASE_URL,
YC_KRATOS_PUBLIC_URL, YC_KRATOS_ADMIN_URL, YC_MINIO_*, YC_DATA_KEY, YC_PUBLIC_URL, YC_ADDR, YC_LOG_LEVEL, YC_LOG_FORMAT.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = serve(ctx, args)
	case "migrate":
		err = migrate(ctx)
	case "tenant":
		if len(args) == 0 || args[0] != "create" {
			err = errors.New("usage: yichuang tenant create ...")
			break
		}
		err = tenantCreate(ctx, args[1:])
	case "seed-demo":
		err = seedDemo(ctx, args)
	case "audit":
		if len(args) == 0 || args[0] != "verify" {
			err = errors.New("usage: yichuang audit verify --tenant CODE")
			break
		}
		err = auditVerify(ctx, args[1:])
	case "documents":
		err = documentsCmd(ctx, args)
	case "calendar":
		err = calendarCmd(ctx, args)
	case "workforce":
		err = workforceCmd(ctx, args)
	case "openapi":
		err = json.NewEncoder(os.Stdout).Encode(server.OpenAPI())
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		err = fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	if err != nil {
		if p, ok := problem.As(err); ok {
			fmt.Fprintf(os.Stderr, "错误：%s\nerror: %s\n", p.Message, p.MessageEn)
			for _, f := range p.Fields {
				fmt.Fprintf(os.Stderr, "  %s: %s (%s)\n", f.Location, f.Message, f.MessageEn)
			}
		} else {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func logger() *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(env("YC_LOG_LEVEL", "info")))
	opts := &slog.HandlerOptions{Level: level}
	if env("YC_LOG_FORMAT", "text") == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// appDatabaseURL is the runtime role's URL: APP_DATABASE_URL, or DATABASE_URL with the
// user swapped for yichuang_app (development only; the password must then be given).
func appDatabaseURL() (string, error) {
	if v := os.Getenv("APP_DATABASE_URL"); v != "" {
		return v, nil
	}
	owner := os.Getenv("DATABASE_URL")
	if owner == "" {
		return "", errors.New("set APP_DATABASE_URL (the runtime role) or DATABASE_URL")
	}
	u, err := url.Parse(owner)
	if err != nil {
		return "", err
	}
	pw := os.Getenv("YC_APP_DB_PASSWORD")
	if pw == "" {
		return "", errors.New("APP_DATABASE_URL is not set; set it, or YC_APP_DB_PASSWORD to derive it from DATABASE_URL")
	}
	u.User = url.UserPassword("yichuang_app", pw)
	return u.String(), nil
}

type deps struct {
	pool    *pgxpool.Pool
	store   *tenants.Store
	kratos  *identity.Kratos
	storage *storage.Store
	// svc are the services, built once here: the server and the River workers get these
	// same instances, wired to each other (wiring.New).
	svc *wiring.Services
}

// open connects to PostgreSQL, Kratos and MinIO and builds the services on them; box is the
// data key for workers' ID numbers (nil for the tools that never open one).
func open(ctx context.Context, box *secret.Box) (*deps, error) {
	appURL, err := appDatabaseURL()
	if err != nil {
		return nil, err
	}
	pool, err := tenants.OpenPool(ctx, appURL)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	d := &deps{pool: pool, store: tenants.NewStore(pool, nil)}
	d.kratos = identity.New(env("YC_KRATOS_PUBLIC_URL", "http://127.0.0.1:4433"), env("YC_KRATOS_ADMIN_URL", "http://127.0.0.1:4434"))
	if ep := os.Getenv("YC_MINIO_ENDPOINT"); ep != "" {
		d.storage, err = storage.New(storage.Config{Endpoint: ep, AccessKey: os.Getenv("YC_MINIO_ACCESS_KEY"), SecretKey: os.Getenv("YC_MINIO_SECRET_KEY"),
			Secure: env("YC_MINIO_SECURE", "false") == "true", Prefix: os.Getenv("YC_MINIO_BUCKET_PREFIX")})
		if err != nil {
			return nil, fmt.Errorf("minio: %w", err)
		}
	}
	d.svc = wiring.New(wiring.Config{Store: d.store, Identities: d.kratos, Storage: d.storage, Box: box, PublicURL: os.Getenv("YC_PUBLIC_URL")})
	return d, nil
}

// dataKey is the key for workers' and applicants' ID numbers. The server refuses to start without one rather
// than store the numbers unencrypted.
func dataKey() (*secret.Box, error) {
	box, err := secret.New(os.Getenv(secret.EnvKey))
	if err != nil {
		return nil, fmt.Errorf("%w (generate one with: head -c 32 /dev/urandom | base64)", err)
	}
	return box, nil
}

// serve runs the product. By default one process does everything; for more than one
// machine or core the app tier splits (docs/architecture.md, "Running several processes"):
//
//   - --api-only: the HTTP API, the frontend and the Kratos proxy. Its River client only
//     inserts jobs (in the data's transaction) and is never started: it works no job, runs no
//     periodic job and takes no part in River's leader election. Run as many as needed behind
//     a reverse proxy.
//   - --workers-only: River's workers and, on the elected leader, the periodic sweep. It
//     serves no API: on --addr only GET /healthz and GET /readyz (PostgreSQL, MinIO), for the
//     supervisor's probes; --addr "" serves nothing. Two or more are safe (River hands each
//     job to one worker and elects one leader), one is enough.
//
// Everything the processes must agree on lives in PostgreSQL: the data, River's queue,
// sign-in counts and lockouts, session activity, each county's calendar revision. What stays
// per process is either derived and checked against the database on use (the calendar cache)
// or a local budget (the Excel import slots, two per process); the Kratos session cache
// cannot let a disabled account in, because every request reads the membership's status in
// its tenant transaction.
func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", env("YC_ADDR", "127.0.0.1:8080"), "listen address (YC_ADDR); with --workers-only the health endpoints' address, \"\" for none")
	apiOnly := fs.Bool("api-only", false, "serve HTTP only; run no River workers (jobs are inserted for a --workers-only process)")
	workersOnly := fs.Bool("workers-only", false, "run River workers and the periodic sweep only; serve just /healthz and /readyz on --addr")
	maxWorkers := fs.Int("max-workers", 20, "River workers of the default queue")
	_ = fs.Parse(args)
	if *apiOnly && *workersOnly {
		return errors.New("--api-only and --workers-only exclude each other")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	log := logger()
	box, err := dataKey()
	if err != nil {
		return err
	}
	d, err := open(ctx, box)
	if err != nil {
		return err
	}
	defer d.pool.Close()
	client, err := jobs.NewClient(d.store, jobs.Options{Work: !*apiOnly, MaxWorkers: *maxWorkers, Logger: log, Services: d.svc})
	if err != nil {
		return err
	}
	if d.storage != nil {
		if err := d.storage.EnsureBuckets(ctx); err != nil {
			log.Warn("minio buckets not ready; /readyz reports it", "error", err)
		}
	}
	if !*apiOnly {
		if err := client.Start(ctx); err != nil {
			return fmt.Errorf("river: %w", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = client.Stop(sctx)
		}()
		// The client id is what River records in each job's attempted_by: it tells which
		// process ran a job.
		log.Info("river workers started", "client_id", client.ID(), "max_workers", *maxWorkers, "documents_queue", d.storage != nil)
	}
	var handler http.Handler
	switch {
	case *workersOnly && *addr == "":
		<-ctx.Done()
		return nil
	case *workersOnly:
		handler = server.WorkerHealth(server.Deps{Store: d.store, Storage: d.storage, Logger: log})
	default:
		var proxies []netip.Prefix
		if v := os.Getenv("YC_TRUSTED_PROXIES"); v != "" {
			if proxies, err = server.ParseTrustedProxies(v); err != nil {
				return fmt.Errorf("YC_TRUSTED_PROXIES: %w", err)
			}
		}
		handler, _ = server.New(server.Deps{Store: d.store, Kratos: d.kratos, Storage: d.storage, Logger: log,
			KratosPublicURL: env("YC_KRATOS_PUBLIC_URL", "http://127.0.0.1:4433"), Assets: frontend.Assets(), Services: d.svc,
			PublicURL: os.Getenv("YC_PUBLIC_URL"), TrustedProxies: proxies})
	}
	srv := &http.Server{Addr: *addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	mode := "api and workers"
	switch {
	case *apiOnly:
		mode = "api only"
	case *workersOnly:
		mode = "workers only (health endpoints)"
	}
	log.Info("serving", "addr", "http://"+*addr, "mode", mode)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

func migrate(ctx context.Context) error {
	owner := os.Getenv("DATABASE_URL")
	if owner == "" {
		return errors.New("DATABASE_URL (the owner role) is required to migrate")
	}
	appURL, err := appDatabaseURL()
	if err != nil {
		return err
	}
	return runMigrate(ctx, owner, appURL, dataKey, application.SealBatch, os.Stdout)
}

// runMigrate is `yichuang migrate`: the SQL migrations, then the Go steps SQL cannot do
// (the working days of decisions made before 20261205000010_province_scale, which need each
// county's calendar: application.BackfillDecisionDays; sealing applicants' ID numbers written
// before 20261205000006_applicant_secret with the data key, which never enters the database),
// then migration.Finish, which drops the
// plaintext column once nothing is left in it. key is asked for only when there is
// something to seal; batch rows are sealed per transaction. Every step is idempotent: a
// second run changes nothing, and an interrupted one goes on where it stopped.
func runMigrate(ctx context.Context, owner, appURL string, key func() (*secret.Box, error), batch int, out io.Writer) error {
	res, err := migration.Up(ctx, owner, appURL)
	if err != nil {
		return err
	}
	if len(res.Applied) == 0 {
		fmt.Fprintln(out, "schema is up to date")
	}
	for _, m := range res.Applied {
		fmt.Fprintln(out, "applied", m)
	}
	fmt.Fprintln(out, "river schema version", res.RiverVersion)
	pool, err := tenants.OpenPool(ctx, appURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer pool.Close()
	store := tenants.NewStore(pool, nil)
	// Decisions made before 20261205000010 get their working days (one index probe per county
	// once done).
	days, err := application.BackfillDecisionDays(ctx, store, 0)
	if err != nil {
		return fmt.Errorf("decision days (%d filled; run migrate again to go on): %w", days, err)
	}
	if days > 0 {
		fmt.Fprintf(out, "decision days counted: %d / 已补算办结用时 %d 件\n", days, days)
	}
	if res.PlaintextIDs == 0 {
		return nil
	}
	box, err := key()
	if err != nil {
		return fmt.Errorf("%d applicants' ID numbers wait to be encrypted: %w", res.PlaintextIDs, err)
	}
	n, err := application.SealPlaintextIDs(ctx, store, box, batch)
	if err != nil {
		return fmt.Errorf("encrypt applicants' ID numbers (%d done; run migrate again to go on): %w", n, err)
	}
	pending, err := migration.Finish(ctx, owner)
	if err != nil {
		return err
	}
	if pending > 0 {
		// Rows written in the clear meanwhile by a server of the older release: run again.
		return fmt.Errorf("%d applicants' ID numbers were written in the clear while sealing; stop the old servers and run migrate again", pending)
	}
	fmt.Fprintf(out, "applicants' ID numbers encrypted: %d / 已加密申请人证件号码 %d 条\n", n, n)
	return nil
}

func tenantCreate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tenant create", flag.ExitOnError)
	var in tenancy.NewCounty
	fs.StringVar(&in.Code, "code", "", "tenant code, e.g. fengning (lowercase; the tenant id derives from it)")
	fs.StringVar(&in.Name, "name", "", "county name, e.g. 丰宁满族自治县")
	fs.StringVar(&in.RegionCode, "region-code", "", "6-digit 行政区划代码")
	fs.StringVar(&in.CityCode, "city-code", "", "6-digit code of the city (a registered supervision region) the county belongs to")
	fs.StringVar(&in.AdminName, "admin-name", "", "first county admin's name")
	fs.StringVar(&in.AdminPhone, "admin-phone", "", "first county admin's mobile number (signs in with it)")
	fs.StringVar(&in.AdminPass, "admin-password", "", "first county admin's initial password (at least 10 characters)")
	_ = fs.Parse(args)
	d, err := open(ctx, nil)
	if err != nil {
		return err
	}
	defer d.pool.Close()
	p, err := tenancy.Provision(ctx, d.svc.Staff, in, false)
	if err != nil {
		return err
	}
	fmt.Printf("tenant %s (%s) created: id %s\ncounty admin %s signs in with %s\n", p.Tenant.Name, p.Tenant.Code, p.Tenant.ID, p.Admin.Name, p.Admin.Phone)
	return nil
}

func seedDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed-demo", flag.ExitOnError)
	password := fs.String("password", env("YC_DEMO_PASSWORD", "Yichuang@2026"), "password of every demo account")
	jsonOut := fs.String("json", "", "also write the accounts as JSON to this file")
	_ = fs.Parse(args)
	box, err := dataKey()
	if err != nil {
		return err
	}
	d, err := open(ctx, box)
	if err != nil {
		return err
	}
	defer d.pool.Close()
	// An insert-only River client: the demo's overdue application schedules its deadline and
	// notice jobs, as any step does; the server's workers run them.
	if _, err := jobs.NewClient(d.store, jobs.Options{Work: false, Logger: logger(), Services: d.svc}); err != nil {
		return err
	}
	accounts, err := demo.Seed(ctx, d.svc.Staff, *password, box)
	if err != nil {
		return err
	}
	// The region above it (issue 16): 承德市 with 示范县 and 示范二县, and the region logins.
	regional, err := demo.SeedRegions(ctx, d.svc.Staff, d.svc.Supervision, *password)
	if err != nil {
		return err
	}
	fmt.Println("示范县 demo accounts (手机号 / 密码):")
	for _, a := range append(append([]demo.Account{}, accounts...), regional...) {
		fmt.Printf("  %-8s %-20s %s / %s  (%s)\n", a.Name, a.RoleName, a.Phone, a.Password, a.OrgUnit)
	}
	// The browser tests sign in with every account of the file: 示范县's, and the region
	// accounts (示范二县's admin is printed, not listed: the county admin's journey is 示范县's).
	for _, a := range regional {
		if a.Role != tenants.RoleCountyAdmin {
			accounts = append(accounts, a)
		}
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(accounts, "", "  ")
		return os.WriteFile(*jsonOut, b, 0o600)
	}
	return nil
}

// inTenant runs an operator's tool in the transaction of the county ref names (code or id).
func inTenant(ctx context.Context, ref string, fn func(ctx context.Context) error) error {
	id, err := tenants.ParseRef(ref)
	if err != nil {
		return err
	}
	d, err := open(ctx, nil)
	if err != nil {
		return err
	}
	defer d.pool.Close()
	return d.store.InTx(ctx, id, func(ctx context.Context) error {
		if _, err := tenants.Current(ctx); err != nil {
			return fmt.Errorf("tenant %s: %w", ref, err)
		}
		return fn(ctx)
	})
}

func auditVerify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("audit verify", flag.ExitOnError)
	ref := fs.String("tenant", "", "tenant code or id")
	_ = fs.Parse(args)
	id, err := tenants.ParseRef(*ref)
	if err != nil {
		return err
	}
	d, err := open(ctx, nil)
	if err != nil {
		return err
	}
	defer d.pool.Close()
	var vault auditlog.Vault
	if d.storage != nil {
		vault = d.storage.Archive(id)
	}
	return verifyAudit(ctx, d.store, vault, id, *ref, os.Stdout)
}

// verifyAudit recomputes a county's chain, compares it with its newest anchor in the locked
// archive bucket, and reports the window since that anchor. A broken chain, a shortened one
// and anchors that could not be read (with storage configured) are errors: exit status 1.
func verifyAudit(ctx context.Context, store *tenants.Store, vault auditlog.Vault, id uuid.UUID, ref string, out io.Writer) error {
	var res *auditlog.Verification
	err := store.InTx(ctx, id, func(ctx context.Context) error {
		if _, err := tenants.Current(ctx); err != nil {
			return fmt.Errorf("tenant %s: %w", ref, err)
		}
		var err error
		res, err = auditlog.Verify(ctx, vault)
		return err
	})
	if err != nil {
		return err
	}
	if res.AnchorStatus == auditlog.AnchorBroken {
		return fmt.Errorf("audit chain BROKEN at seq %d (%d rows checked): %s / %s", res.FirstBadSeq, res.RowsChecked, res.Anchor.ProblemEn, res.Anchor.Problem)
	}
	if !res.OK {
		return fmt.Errorf("audit chain BROKEN at seq %d (%d rows checked) / 审计链在第 %d 条处被篡改", res.FirstBadSeq, res.RowsChecked, res.FirstBadSeq)
	}
	fmt.Fprintf(out, "audit chain OK: %d rows verified / 审计链完整：已校验 %d 条\n", res.RowsChecked, res.RowsChecked)
	switch a := res.Anchor.Anchor; {
	case res.AnchorStatus == auditlog.AnchorOK:
		fmt.Fprintf(out, "anchor %s (seq %d, %s) matches; %d rows since, in the last %s / 与锚点一致；其后 %d 条尚未锚定\n",
			a.Key, a.Seq, a.AnchoredAt.Format(time.RFC3339), res.Anchor.Since, time.Since(a.AnchoredAt).Round(time.Second), res.Anchor.Since)
	case res.AnchorStatus == auditlog.AnchorUnavailable && vault != nil:
		return fmt.Errorf("anchors not compared: %s / %s", res.Anchor.ProblemEn, res.Anchor.Problem)
	default:
		fmt.Fprintf(out, "anchors: %s / %s\n", res.Anchor.ProblemEn, res.Anchor.Problem)
	}
	return nil
}
