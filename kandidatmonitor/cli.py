"""``kandidatmonitor demo|serve|import``: the command line of one Kandidatmonitor process."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from services.clock import OSLO, Clock, FrozenClock, parse_now
from services.server_secret import configured_secret
from services.errors import InvalidInput, NotFound, StoreError
from services.rules import MIN_FREE_DISK_BYTES

DEFAULT_DB = "data/demo.duckdb"


def _now(text: str | None) -> dt.datetime | None:
    return parse_now(text) if text else None


def cmd_demo(args) -> int:
    from services.demo import build_demo, demo_exam_date

    now = _now(args.now) or Clock().now()
    if args.if_stale and demo_exam_date(args.db) == now.date():
        print(f"Demodatabasen {args.db} gjelder allerede {now.date()}; beholder den.")
        return 0
    stats = build_demo(args.db, size=args.size, seed=args.seed, now=now)
    print(json.dumps(stats, ensure_ascii=False))
    return 0


def cmd_serve(args) -> int:
    from dashboard.app import serve, serve_workers, tune_gc, use_uvloop
    from dashboard.client_address import LOOPBACK
    from services.store import is_url

    now = _now(args.now)
    clock = Clock.starting_at(now) if now else Clock()
    secret = Path(args.secret_file).read_text("utf-8").strip() if args.secret_file else configured_secret()
    if problems := _production_refusals(args, secret is not None):
        print(f"Starter ikke på {args.address}: appen ville nås fra andre maskiner, og", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    options = {"secret": secret, "certfile": args.certfile, "keyfile": args.keyfile, "oidc": _oidc(args),"port": args.port, "address": args.address, "clock": clock, "num_threads": args.num_threads,
               "show": False, "blobs": args.blobs, "tls": args.tls, "min_free_disk_bytes": args.min_free_disk_mb * 1000 * 1000, "websocket_origins": args.websocket_origin.split(","),
               "trusted_proxies": [*args.trusted_proxies.split(","), *(LOOPBACK if args.trust_proxy else ())]}
    if args.workers > 1:
        if not is_url(args.db):
            raise ValueError("--workers over 1 trenger PostgreSQL (--db postgresql://…): "
                             "en DuckDB-fil kan bare åpnes av én prosess.")
        serve_workers(args.db, args.workers, **options)
        return 0
    use_uvloop()
    tune_gc()
    serve(args.db, **options)
    return 0


def _oidc(args):
    """Staff sign-in through OpenID Connect, when an issuer is given."""
    import os

    from dashboard.oidc import OidcSettings

    if not args.oidc_issuer:
        return None
    client_secret = os.environ.get("KANDIDATMONITOR_OIDC_CLIENT_SECRET") or args.oidc_client_secret
    if not (args.oidc_client_id and client_secret):
        raise ValueError("--oidc-issuer trenger --oidc-client-id og KANDIDATMONITOR_OIDC_CLIENT_SECRET "
                         "(eller --oidc-client-secret)")
    return OidcSettings(args.oidc_issuer, args.oidc_client_id, client_secret,
                        tuple(args.oidc_scopes.split()), args.oidc_name)


def _production_refusals(args, secret_configured: bool) -> list[str]:
    from services.store import open_store

    from .production import is_loopback, refusals

    if is_loopback(args.address):
        return []
    store = open_store(args.db)
    try:
        https = bool(args.certfile and args.keyfile) or args.trust_proxy or bool(args.trusted_proxies.strip())
        return refusals(store, args.address, secret_configured, https)
    finally:
        store.close()


def cmd_export(args) -> int:
    """Write a Parquet snapshot. While ``serve`` holds a DuckDB file (DuckDB admits one
    process), the server writes it; otherwise the database is opened here (PostgreSQL always)."""
    from services.export import export_snapshot, server_file
    from services.store import is_url, open_store

    target = str(Path(args.to).resolve())
    announced = server_file(args.db)
    manifest = _export_via_server(announced, target) if not is_url(args.db) and announced.exists() else None
    if manifest is None:
        store = open_store(args.db, read_only=True)
        try:
            now = _now(args.now)
            manifest = export_snapshot(store, FrozenClock(now) if now else Clock(), target)
        finally:
            store.close()
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(f"Skrev {len(manifest['tables'])} tabeller ({rows} rader) til {target}")
    return 0


def _export_via_server(announced: Path, target: str) -> dict | None:
    """Ask the running server for the snapshot; None when no server answers (a stale file)."""
    import urllib.error
    import urllib.request

    info = json.loads(announced.read_text("utf-8"))
    request = urllib.request.Request(
        info["url"] + "/admin/export", data=json.dumps({"to": target}).encode(), method="POST",
        headers={"Authorization": f"Bearer {info['token']}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        raise ValueError(f"Serveren kunne ikke eksportere: {e.read().decode(errors='replace')}") from e
    except (urllib.error.URLError, ConnectionError):
        return None


def cmd_import(args) -> int:
    if args.file:
        return _import_candidate_list(args)
    from services.model import system_actor
    from services.register import ORDER, read_export
    from services.wiring import Services

    files = {f: None for f in sorted(Path(args.dir).glob("*.csv"))} if args.dir else {}
    files |= {Path(f): kind for kind, f in zip(ORDER, (args.schools, args.groups, args.staff, args.candidates)) if f}
    if not files:
        raise ValueError(f"Ingen filer: gi --dir med {', '.join(k + '.csv' for k in ORDER)} eller --file")
    tables, problems = read_export({f.name: f.read_bytes() for f in files},
                                   {f.name: kind for f, kind in files.items() if kind})
    services = Services(args.db)
    try:
        if problems:
            raise InvalidInput(problems.items)
        report = services.register.run(system_actor("PAS-eksamen"), tables, allow_delete=args.allow_delete,
                                       allow_move=args.allow_move)
    except InvalidInput as e:
        return _refused_import(e)
    finally:
        services.close()
    print("\n".join(report.lines()))
    return 0


def _refused_import(e: InvalidInput) -> int:
    print("Importen ble avbrutt; ingenting er importert:", file=sys.stderr)
    for problem in e.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _import_candidate_list(args) -> int:
    """The older form: one candidate list (skole;gruppe;fagkode;kandidatnummer;navn;todelt[;passord])."""
    from services.model import system_actor
    from services.wiring import Services

    date = dt.date.fromisoformat(args.date) if args.date else None
    clock = FrozenClock(dt.datetime.combine(date, dt.time(8), OSLO)) if date else Clock()
    services = Services(args.db, clock)
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
        count = services.importer.import_csv(system_actor("PAS-import"), text, exam_date=date,
                                             allow_move=args.allow_move)
    except InvalidInput as e:
        return _refused_import(e)
    except UnicodeDecodeError:
        print("Filen er ikke UTF-8-tekst; ingenting er importert.", file=sys.stderr)
        return 1
    finally:
        services.close()
    print(f"Importerte {count} kandidater.")
    return 0


def cmd_users(args) -> int:
    """Staff users by hand: a new password is printed once, here, and stored hashed."""
    from services.model import Role, system_actor
    from services.wiring import Services

    if args.action != "list" and not args.username:
        raise ValueError(f"users {args.action} trenger et brukernavn")
    if args.action == "add" and not args.role:
        raise ValueError("users add trenger --role og --scope")
    services = Services(args.db)
    actor, users = system_actor("kandidatmonitor users"), services.staff_users
    try:
        if args.action == "list":
            for u in users.list(actor):
                state = " (deaktivert)" if u.disabled else ""
                print(f"{u.username}\t{u.name}\t{u.role.value}\t{u.email or ''}\t"
                      f"{','.join(map(str, u.scope))}{state}")
        elif args.action == "add":
            password = users.add(actor, args.username, args.name or args.username, Role(args.role.upper()),
                                 args.scope.split(","), email=args.email)
            print(f"La til {args.username}. Passord (vises bare nå): {password}")
        elif args.action == "disable":
            users.disable(actor, args.username)
            print(f"{args.username} er deaktivert.")
        else:
            print(f"Nytt passord for {args.username} (vises bare nå): {users.reset_password(actor, args.username)}")
    except InvalidInput as e:
        print("\n".join(e.problems), file=sys.stderr)
        return 2
    except NotFound:
        print(f"Fant ingen bruker {args.username}", file=sys.stderr)
        return 2
    finally:
        services.close()
    return 0


def cmd_simulate(args) -> int:
    """Candidates over the HTTP API of a running server (``make run``), by default the
    demo candidates who have not logged in yet (``demo`` lists them beside the database)."""
    import asyncio

    from services.demo import numbers_file

    from .simulate import simulate

    source = Path(args.numbers) if args.numbers else numbers_file(args.db)
    if not source.exists():
        raise ValueError(f"Fant ikke {source}: bygg demoen (kandidatmonitor demo) eller gi --numbers FIL")
    lines = [line.split() for line in source.read_text("utf-8").splitlines() if line.strip()][:args.candidates]
    numbers = [line[0] for line in lines]
    day_passwords = None
    if args.day_passwords:  # the demo's numbers file gives each candidate's group and exam day
        from services.day_passwords import day_password
        from services.server_secret import derive, server_secret

        key = derive(server_secret(args.db), "day-passwords")
        day_passwords = {n: day_password(key, int(g), dt.date.fromisoformat(d)) for n, g, d in lines}
    print(f"Simulerer {len(numbers)} kandidater mot {args.url}, {args.rate} innlogginger per sekund …", flush=True)
    tally = asyncio.run(simulate(args.url, numbers, args.password, args.rate, (args.answer_min, args.answer_max),
                                 day_passwords=day_passwords))
    print(f"Ferdig: innlogget {tally.logged_in}, avvist {tally.refused}, på oppgavesiden {tally.on_task}, "
          f"levert {tally.delivered}, feil {tally.errors}")
    return 0 if tally.errors == 0 else 1


def cmd_local_postgres(args) -> int:
    """Start (or stop) a PostgreSQL cluster kept under ``--dir`` and print its database's URL."""
    from .pgcluster import Cluster

    cluster = Cluster(args.dir)
    if args.stop:
        cluster.stop(remove=False)
        return 0
    print(cluster.create_database(name=args.database))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kandidatmonitor", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="bygg en demodatabase")
    demo.add_argument("--size", choices=["small", "national"], default="small")
    demo.add_argument("--db", default=DEFAULT_DB)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--now", help="eksamensdagens klokkeslett, ÅÅÅÅ-MM-DD TT:MM (Oslo)")
    demo.add_argument("--if-stale", action="store_true",
                      help="behold en demodatabase som allerede gjelder samme dag")
    demo.set_defaults(func=cmd_demo)
    serve = sub.add_parser("serve", help="start appen")
    serve.add_argument("--db", default=DEFAULT_DB, help="DuckDB-fil eller postgresql://-adresse")
    serve.add_argument("--port", type=int, default=5006)
    serve.add_argument("--address", default="localhost")
    serve.add_argument("--now", help="start klokken her, ÅÅÅÅ-MM-DD TT:MM (Oslo); den går videre derfra")
    serve.add_argument("--num-threads", type=int, default=4)
    serve.add_argument("--blobs", help="mappen for opplastede filer (standard: ved siden av databasen)")
    serve.add_argument("--min-free-disk-mb", type=int, default=MIN_FREE_DISK_BYTES // 1000 // 1000,
                       help="under så mye ledig plass på disken avvises opplastinger med en tydelig feil")
    serve.add_argument("--workers", type=int, default=1,
                       help="prosesser som deler porten (over 1 bare med PostgreSQL); en som dør, erstattes")
    serve.add_argument("--trusted-proxies", default="",
                       help="CIDR,... for egne omvendte proxyer: klientens IP er den høyre-mest adressen i "
                            "X-Forwarded-For som ikke er en av dem")
    serve.add_argument("--websocket-origin", default="",
                       help="host[:port],... som sidene nås på utenfra (bak en proxy); aldri «*»")
    serve.add_argument("--secret-file", help="fil med serverens hemmelighet (ellers KANDIDATMONITOR_SECRET; "
                                             "på localhost lages en ved siden av databasen)")
    serve.add_argument("--certfile", help="TLS-sertifikat (PEM): appen svarer på HTTPS selv")
    serve.add_argument("--keyfile", help="TLS-nøkkel (PEM) til --certfile")
    serve.add_argument("--oidc-issuer", help="OpenID Connect-leverandør for ansattes innlogging (f.eks. ID-porten)")
    serve.add_argument("--oidc-client-id", help="klient-id hos leverandøren")
    serve.add_argument("--oidc-client-secret", help="klienthemmelighet (helst KANDIDATMONITOR_OIDC_CLIENT_SECRET)")
    serve.add_argument("--oidc-scopes", default="openid email profile")
    serve.add_argument("--oidc-name", default="ID-porten", help="navnet på knappen «Logg inn med …»")
    serve.add_argument("--tls", action="store_true",
                       help="brukerne når appen over HTTPS (her eller via proxyen): Secure-informasjonskapsler og HSTS")
    serve.add_argument("--trust-proxy", action="store_true",
                       help="stol på en proxy på denne maskinen (127.0.0.0/8, ::1)")
    serve.set_defaults(func=cmd_serve)
    export = sub.add_parser("export", help="skriv et øyeblikksbilde av alle tabeller som Parquet")
    export.add_argument("--db", default=DEFAULT_DB)
    export.add_argument("--to", required=True, help="mappen øyeblikksbildet skrives til")
    export.add_argument("--now", help="klokken i øyeblikksbildet når serveren ikke kjører (ÅÅÅÅ-MM-DD TT:MM)")
    export.set_defaults(func=cmd_export)
    imp = sub.add_parser("import", help="importer skoler, grupper, ansatte og kandidater fra eksamensregisteret (CSV)")
    imp.add_argument("--db", default=DEFAULT_DB)
    imp.add_argument("--dir", help="mappen med eksporten: skoler.csv, grupper.csv, ansatte.csv, kandidater.csv")
    imp.add_argument("--schools", help="skoler.csv (i stedet for --dir)")
    imp.add_argument("--groups", help="grupper.csv")
    imp.add_argument("--staff", help="ansatte.csv")
    imp.add_argument("--candidates", help="kandidater.csv")
    imp.add_argument("--allow-delete", action="store_true",
                     help="fjern også kandidater som har logget inn eller har filer (filene og loggen beholdes)")
    imp.add_argument("--file", help="en kandidatliste i den eldre formen (skole;gruppe;fagkode;kandidatnummer;…)")
    imp.add_argument("--date", help="eksamensdato ÅÅÅÅ-MM-DD (i dag uten)")
    imp.add_argument("--allow-move", action="store_true",
                     help="flytt en kandidat som allerede hører til en annen skole (ellers avvises importen)")
    imp.set_defaults(func=cmd_import)
    users = sub.add_parser("users", help="ansattbrukere: list, legg til, deaktiver, nytt passord")
    users.add_argument("action", choices=["list", "add", "disable", "reset-password"])
    users.add_argument("username", nargs="?")
    users.add_argument("--db", default=DEFAULT_DB)
    users.add_argument("--name", help="fullt navn (add)")
    users.add_argument("--role", help="INVIGILATOR, SCHOOL_ADMIN, SCHOOL_ADMIN_PLUS, MUNICIPALITY, COUNTY, "
                                      "COUNTY_EXAM_ADMIN eller STATE_ADMIN (add)")
    users.add_argument("--scope", default="", help="skolers org.nr. (skoleroller), ellers gruppe-, kommune- "
                                                    "eller fylkes-id-er, kommaseparert (add)")
    users.add_argument("--email", help="e-post, som OIDC-innlogging kan kjenne brukeren igjen på (add)")
    users.set_defaults(func=cmd_users)
    local = sub.add_parser("local-postgres", help="start en lokal PostgreSQL under --dir og skriv ut adressen")
    local.add_argument("--dir", default="data/pg")
    local.add_argument("--database", default="kandidatmonitor")
    local.add_argument("--stop", action="store_true", help="stopp den i stedet")
    local.set_defaults(func=cmd_local_postgres)
    sim = sub.add_parser("simulate", help="kandidater som logger inn, venter, leverer – over HTTP-API-et")
    sim.add_argument("--url", default="http://localhost:5006")
    sim.add_argument("--candidates", type=int, default=100, help="antall kandidater")
    sim.add_argument("--rate", type=float, default=5.0, help="innlogginger per sekund")
    sim.add_argument("--db", default=DEFAULT_DB, help="demodatabasen som lister kandidatnumrene")
    sim.add_argument("--numbers", help="fil med ett kandidatnummer per linje (i stedet for demoens liste)")
    sim.add_argument("--password", default="demo", help="kandidatenes passord (demoens er «demo»)")
    sim.add_argument("--day-passwords", action="store_true",
                     help="eksamensvakten skriver gruppens dagspassord i stedet for å klikke «Gi tilgang» "
                          "(avledet fra serverens hemmelighet ved siden av databasen)")
    sim.add_argument("--answer-min", type=float, default=20.0, help="sekunder på oppgavesiden før levering, minst")
    sim.add_argument("--answer-max", type=float, default=120.0, help="… og høyst")
    sim.set_defaults(func=cmd_simulate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 2
    except StoreError as e:
        print(str(e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
