#!/usr/bin/env python3
"""make run, twice, as a user would (issue 15 item 9), on private ports and state.

The first run may build; the second must rebuild nothing that did not change (no frontend
build, no first-run banner). Each run must answer /readyz and serve the API reference's
renderer from the binary (/docs works without the internet), and must stop cleanly when
SIGINT is sent to the `make` process alone: make exits, and the server and the stack's
ports are released. Timings are printed, not asserted (speed is for `make bench`)."""
import os, shutil, signal, socket, subprocess, sys, time, urllib.request

repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
state = os.path.join(repo, ".run", "runcheck")
ports = {"YC_PG_PORT": 25490, "YC_KRATOS_PUBLIC_PORT": 24491, "YC_KRATOS_ADMIN_PORT": 24492,
         "YC_MINIO_PORT": 29140, "YC_APP_PORT": 18230}
env = {k: v for k, v in os.environ.items() if not k.startswith("YC_") and k not in ("DATABASE_URL", "APP_DATABASE_URL")}
env.update({k: str(v) for k, v in ports.items()})
env["YC_STATE_DIR"] = state
base = f"http://127.0.0.1:{ports['YC_APP_PORT']}"
failures = []


def fail(msg):
    print("FAIL:", msg)
    failures.append(msg)


def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.status, r.read()


def listening(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def run(label):
    log = open(os.path.join(repo, ".run", f"runcheck-{label}.log"), "w")
    start = time.monotonic()
    # make as a user's shell starts it: SIGINT at its default, its own process group.
    p = subprocess.Popen(["make", "run"], cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    ready = None
    while time.monotonic() - start < 900 and p.poll() is None:
        try:
            if get("/readyz")[0] == 200:
                ready = time.monotonic() - start
                break
        except OSError:
            pass
        time.sleep(0.5)
    out = open(log.name).read()
    if ready is None:
        fail(f"{label}: not ready (make exited {p.poll()}):\n{out[-3000:]}")
        p.kill()
        return out
    print(f"{label} run: ready after {ready:.1f} s")
    try:
        status, page = get("/docs")
        js_status, js = get("/docs/scalar.js")
        if status != 200 or b"/docs/scalar.js" not in page or b"https://" in page:
            fail(f"{label}: /docs does not load its renderer from this origin: {status}")
        if js_status != 200 or len(js) < 100_000:
            fail(f"{label}: /docs/scalar.js: {js_status}, {len(js)} bytes")
    except OSError as e:
        fail(f"{label}: /docs: {e}")
    # SIGINT to make alone, not to its group.
    os.kill(p.pid, signal.SIGINT)
    try:
        p.wait(timeout=90)
    except subprocess.TimeoutExpired:
        fail(f"{label}: make still running 90 s after SIGINT")
        os.killpg(p.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(listening(v) for v in ports.values()):
        time.sleep(0.5)
    left = [k for k, v in ports.items() if listening(v)]
    if left:
        fail(f"{label}: still listening after SIGINT to make: {left}")
    return open(log.name).read()


shutil.rmtree(state, ignore_errors=True)
os.makedirs(os.path.join(repo, ".run"), exist_ok=True)
try:
    run("first")
    index = os.path.join(repo, "frontend", "dist", "app", "index.html")
    before = os.stat(index).st_mtime_ns if os.path.exists(index) else None
    second = run("second")
    if "first run" in second:
        fail("second run printed the first-run banner")
    if "building the frontend" in second or (before is not None and os.stat(index).st_mtime_ns != before):
        fail("second run rebuilt the unchanged frontend")
finally:
    subprocess.run(["bash", "infra/scripts/stack.sh", "down", "dev"], cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(state, ignore_errors=True)
print("make run check:", "ok" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
