#!/usr/bin/env python3
"""The backup drill's client (infra/scripts/drill.sh runs the drill; this is its hands).

It talks to the real app over HTTP with a real session (Kratos' API flow through the app's
proxy), to PostgreSQL through psql as the owner, and to MinIO over S3 (SigV4 signed here,
so nothing beyond Python's standard library is needed). Every check appends a line
"pass NAME" or "fail NAME: why" to the results file; drill.sh counts them.

    drill.py write LABEL N FILES      intake + 受理 N applications, FILES of them with an uploaded
                                      scan; an application is acknowledged when the API said 2xx
    drill.py wait-documents           until every acknowledged application's notice is rendered
    drill.py damage                   after the point: overwrite one pinned file, delete one notice
    drill.py check-db                 every application before the point is there, none after
    drill.py check-objects            the damaged keys serve the restored rows' bytes again
    drill.py check-api                through the restarted app: pages, a notice, a new intake
"""
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

STATE = os.environ["YC_DRILL_OUT"]
LEDGER = os.path.join(STATE, "ledger.jsonl")
RESULTS = os.path.join(STATE, "checks.txt")
BASE = os.environ["YC_PUBLIC_URL"]
CLERK = "13900000003"  # 城关镇's window clerk (seed-demo)
PASSWORD = os.environ.get("YC_DEMO_PASSWORD", "Yichuang@2026")


def record(ok, name, why=""):
    with open(RESULTS, "a") as f:
        f.write(("pass " if ok else "fail ") + name + ("" if ok else ": " + why) + "\n")
    print(("  ok   " if ok else "  FAIL ") + name + ("" if ok else ": " + why), flush=True)
    return ok


def http(method, path, body=None, token=None, headers=None, raw=None, ctype=None):
    url = path if path.startswith("http") else BASE + path
    data, h = None, dict(headers or {})
    if raw is not None:
        data = raw
        if ctype:
            h["Content-Type"] = ctype
    elif body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if token:
        h["X-Session-Token"] = token
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def js(b):
    try:
        return json.loads(b)
    except ValueError:
        return {}


def sign_in():
    kp = "/.ory/kratos/public"
    st, b, _ = http("GET", kp + "/self-service/login/api")
    flow = js(b).get("id")
    st, b, _ = http("POST", kp + "/self-service/login?flow=" + str(flow),
                    {"method": "password", "identifier": CLERK, "password": PASSWORD})
    tok = js(b).get("session_token")
    if st != 200 or not tok:
        sys.exit(f"sign-in as {CLERK}: {st} {b[:300]!r}")
    return tok


def psql(sql):
    out = subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", os.environ["DATABASE_URL"], "-c", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return out.stdout.strip()


def ledger():
    if not os.path.exists(LEDGER):
        return []
    return [json.loads(l) for l in open(LEDGER) if l.strip()]


def ids_sql(apps):
    return "ARRAY[" + ",".join("'%s'::uuid" % a["id"] for a in apps) + "]::uuid[]"


def pick_item(tok):
    st, b, _ = http("GET", "/api/v1/items?status=published&limit=50", token=tok)
    items = js(b).get("items") or []
    for it in items:
        st, b, _ = http("GET", "/api/v1/items/" + it["id"], token=tok)
        d = js(b)
        pub = d.get("published") or {}
        mats = pub.get("materials") or []
        if st == 200 and mats:
            return it["id"], [m["key"] for m in mats]
    sys.exit("no published item with materials: %r" % items[:2])


def jpeg(n):
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(n - 11)


def write(label, n, files):
    tok = sign_in()
    item, mats = pick_item(tok)
    ok = 0
    for i in range(n):
        key = f"drill-{label}-{i}-{uuid.uuid4().hex[:8]}"
        st, b, _ = http("POST", "/api/v1/applications", {
            "item_id": item,
            "applicant": {"kind": "person", "name": f"演练{label}{i}", "id_no": "11010519491231002X", "phone": "13912345678"},
            "materials": [{"key": k, "provided": True} for k in mats]}, tok, {"Idempotency-Key": key})
        app = js(b)
        if st != 201:
            record(False, f"intake {label}#{i}", f"{st} {b[:300]!r}")
            continue
        st, b, _ = http("POST", f"/api/v1/applications/{app['id']}/actions/accept", {}, tok, {"If-Match": str(app["version"])})
        acc = js(b)
        if st != 200:
            record(False, f"受理 {label}#{i}", f"{st} {b[:300]!r}")
            continue
        entry = {"label": label, "id": app["id"], "receipt": acc.get("receipt_no"), "version": acc.get("version")}
        if i < files:
            scan = jpeg(64 << 10)
            st, b, _ = http("POST", f"/api/v1/applications/{app['id']}/files?material={mats[0]}&filename=scan{i}.jpg",
                            token=tok, raw=scan, ctype="image/jpeg")
            if st != 201:
                record(False, f"upload {label}#{i}", f"{st} {b[:300]!r}")
                continue
            entry["file"] = js(b)["id"]
            entry["file_sha256"] = hashlib.sha256(scan).hexdigest()
        # Acknowledged: every call for it answered 2xx. Only now is it in the ledger.
        with open(LEDGER, "a") as f:
            f.write(json.dumps(entry) + "\n")
        ok += 1
    record(ok == n, f"{label}: {n} applications acknowledged through the API", f"only {ok}")


def wait_documents():
    apps = ledger()
    deadline = time.time() + 90
    q = (f"SELECT count(*) FILTER (WHERE version_id IS NULL), count(*) FROM application_notices "
         f"WHERE kind = 'accepted' AND application_id = ANY({ids_sql(apps)})")
    while True:
        pending, total = map(int, psql(q).split("|"))
        if pending == 0 and total == len(apps):
            return record(True, f"{total} 受理通知书 rendered and pinned in MinIO before the point")
        if time.time() > deadline:
            return record(False, "notices rendered before the point", f"{pending} pending of {total}, {len(apps)} applications")
        time.sleep(0.5)


# ---- S3 (MinIO), signed with AWS Signature V4

def s3(method, key, body=b"", query=""):
    host = os.environ["YC_MINIO_ENDPOINT"]
    access, secret = os.environ["YC_MINIO_ACCESS_KEY"], os.environ["YC_MINIO_SECRET_KEY"]
    bucket = os.environ.get("YC_MINIO_BUCKET_PREFIX") or "yichuang"
    path = "/" + bucket + "-documents/" + urllib.parse.quote(key, safe="/-_.~")
    now = datetime.datetime.now(datetime.timezone.utc)
    amz, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    ph = hashlib.sha256(body).hexdigest()
    hdrs = {"host": host, "x-amz-content-sha256": ph, "x-amz-date": amz}
    signed = ";".join(sorted(hdrs))
    creq = "\n".join([method, path, query, "".join(f"{k}:{hdrs[k]}\n" for k in sorted(hdrs)), signed, ph])
    scope = f"{day}/us-east-1/s3/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (day, "us-east-1", "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    h = {"x-amz-content-sha256": ph, "x-amz-date": amz,
         "Authorization": f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={signed}, Signature={sig}"}
    return http(method, f"http://{host}{path}" + ("?" + query if query else ""), raw=body if method == "PUT" else None, headers=h)


def object_name(table, where):
    tid, key = psql(f"SELECT tenant_id, object_key FROM {table} WHERE {where}").split("|")
    return f"tenants/{tid}/{key}"


def damage():
    """After the point: what a bug, an operator or an attacker may do to MinIO meanwhile."""
    apps = ledger()
    with_file = next(a for a in apps if a.get("file") and a["label"] == "full")
    name = object_name("application_files", f"id = '{with_file['file']}'")
    st, _, _ = s3("PUT", name, jpeg(32 << 10))
    record(st == 200, "after the point: a pinned upload overwritten in MinIO", str(st))
    other = next(a for a in apps if a["label"] == "wal")
    name = object_name("application_notices", f"application_id = '{other['id']}' AND kind = 'accepted'")
    st, _, _ = s3("DELETE", name)
    record(st == 204, "after the point: a pinned notice deleted in MinIO (a delete marker)", str(st))
    st, _, _ = s3("GET", name)
    record(st == 404, "the deleted notice is gone from the newest view", str(st))
    json.dump({"overwritten": with_file, "deleted": other}, open(os.path.join(STATE, "damage.json"), "w"))


def check_db(before_labels, after_labels):
    apps = ledger()
    before = [a for a in apps if a["label"] in before_labels]
    after = [a for a in apps if a["label"] in after_labels]
    got = set(psql(f"SELECT id FROM applications WHERE id = ANY({ids_sql(before)})").split())
    missing = [a["id"] for a in before if a["id"] not in got]
    record(not missing and len(before) > 0,
           f"all {len(before)} applications acknowledged before the point are restored", f"missing {missing}")
    got = psql(f"SELECT count(*) FROM applications WHERE id = ANY({ids_sql(after)})")
    record(got == "0" and len(after) > 0, f"none of the {len(after)} applications written after the point is there", f"{got} present")
    # Each restored row as it was acknowledged: the state and version the 受理 answered.
    rows = dict(l.split("|", 1) for l in psql(
        f"SELECT id, state || '|' || version || '|' || coalesce(receipt_no, '') FROM applications WHERE id = ANY({ids_sql(before)})").splitlines())
    bad = [a["id"] for a in before if rows.get(a["id"]) != f"accepted|{a['version']}|{a['receipt']}"]
    record(not bad, "restored applications are as acknowledged (state, version, receipt number)", f"differ: {bad[:3]}")
    files = [a for a in before if a.get("file")]
    got = psql(f"SELECT count(*) FROM application_files WHERE id = ANY(ARRAY[" +
               ",".join("'%s'::uuid" % a["file"] for a in files) + "]::uuid[]) AND version_id IS NOT NULL")
    record(got == str(len(files)), f"all {len(files)} uploads acknowledged before the point are restored with their pinned version", got)


def check_objects():
    d = json.load(open(os.path.join(STATE, "damage.json")))
    f = d["overwritten"]
    name = object_name("application_files", f"id = '{f['file']}'")
    st, body, _ = s3("GET", name)
    record(st == 200 and hashlib.sha256(body).hexdigest() == f["file_sha256"],
           "the overwritten upload serves the restored row's bytes again (newest version)", f"{st}")
    name = object_name("application_notices", f"application_id = '{d['deleted']['id']}' AND kind = 'accepted'")
    want = psql(f"SELECT sha256 FROM application_notices WHERE application_id = '{d['deleted']['id']}' AND kind = 'accepted'")
    st, body, _ = s3("GET", name)
    record(st == 200 and hashlib.sha256(body).hexdigest() == want,
           "the deleted notice is back as the newest version, bytes as the restored row records", f"{st}")


def check_api(before_labels, after_labels):
    apps = ledger()
    tok = sign_in()
    before = [a for a in apps if a["label"] in before_labels]
    after = [a for a in apps if a["label"] in after_labels]
    bad = [a["id"] for a in before if http("GET", "/api/v1/applications/" + a["id"], token=tok)[0] != 200]
    record(not bad, "the restarted app serves every restored application", f"not: {bad[:3]}")
    bad = [a["id"] for a in after if http("GET", "/api/v1/applications/" + a["id"], token=tok)[0] != 404]
    record(not bad, "the restarted app knows none of the applications written after the point", f"known: {bad[:3]}")
    d = json.load(open(os.path.join(STATE, "damage.json")))
    st, body, _ = http("GET", f"/api/v1/applications/{d['deleted']['id']}/notices/accepted/file", token=tok)
    record(st == 200 and body[:5] == b"%PDF-", "the deleted notice opens through the app (SHA-256 checked)", str(st))
    st, body, _ = http("GET", f"/api/v1/applications/{d['overwritten']['id']}/files/{d['overwritten']['file']}/download", token=tok)
    link = js(body).get("url")
    ok = st == 200 and link and hashlib.sha256(urllib.request.urlopen(link, timeout=30).read()).hexdigest() == d["overwritten"]["file_sha256"]
    record(bool(ok), "the overwritten upload downloads through the app as uploaded", str(st))
    before_n = len(ledger())
    write("after-restore", 1, 0)
    record(len(ledger()) == before_n + 1, "a new intake and 受理 work on the restored database")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "write":
        write(args[0], int(args[1]), int(args[2]))
    elif cmd == "wait-documents":
        wait_documents()
    elif cmd == "damage":
        damage()
    elif cmd == "check-db":
        check_db(args[0].split(","), args[1].split(","))
    elif cmd == "check-objects":
        check_objects()
    elif cmd == "check-api":
        check_api(args[0].split(","), args[1].split(","))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
