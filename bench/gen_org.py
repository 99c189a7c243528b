#!/usr/bin/env python3
"""Writes an organisation's hubs for bench/org: H bare git repositories holding N records in all,
each with a project registry and outcome events, through `git fast-import` (seconds per 100k
records, where writing files and committing them would take minutes).

    gen_org.py DIR H N [SEED]          DIR/hub-00.git … DIR/hub-<H-1>.git
    gen_org.py --work DIR N [SEED]     one work-tree repository (DIR, files checked out): a local project
    gen_org.py --add DIR H K [SEED]    K new records spread over the first K hubs (one commit each)

Text: engineering prose from bench/gen_records.py's vocabulary plus each team's own service names and
a long tail of rarer words, 0.5-1.2 KB of body per record; sentences are drawn from a pool, so
generating a million records takes a minute, not an hour. Deterministic for a seed.
"""
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_records import ALPHABET, FILLER, KINDS, OUTCOMES, STATUS, TOPICS, VERBS, b32  # noqa: E402

SERVICES = """ledger payments checkout billing invoices search catalog inventory shipping identity
gateway notifications reporting analytics pricing recommendations fraud onboarding support
warehouse""".split()
TEMPLATES = ["rust-cli", "python-package", "rest-api", "web-app", "data-pipeline"]


def long_tail(rng, n=3000):
    """Rarer words: what makes real memory's vocabulary large."""
    syll = ["ka", "lo", "mi", "ter", "van", "dor", "qui", "zen", "pra", "sul", "nex", "bri", "mon", "tal"]
    return ["".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(n)]


def sentence_pool(rng, tail, size=40000):
    pool = []
    for _ in range(size):
        words = [rng.choice(VERBS)]
        for _ in range(rng.randint(8, 18)):
            r = rng.random()
            words.append(rng.choice(TOPICS) if r < 0.3 else rng.choice(tail) if r < 0.5 else rng.choice(FILLER))
        pool.append(" ".join(words).capitalize() + ".")
    return pool


def record(rng, pool, tail, i, team, base_ms):
    kind, folder = KINDS[i % 3]
    rid = b32(base_ms + i * 1000, 9) + b32(rng.getrandbits(65), 13)
    service = rng.choice(SERVICES)
    title_words = [rng.choice(VERBS).capitalize()] + rng.sample(TOPICS, 2) + [service, rng.choice(tail)]
    title = " ".join(title_words)
    tags = rng.sample(TOPICS, 2) + [service]
    lines = ["+++", f'id = "{rid}"', f'kind = "{kind}"', f'title = "{title}"', f'status = "{rng.choice(STATUS)}"']
    if kind != "decision":
        lines.append(f'outcome = "{rng.choice(OUTCOMES)}"')
    lines += ["tags = [" + ", ".join(f'"{t}"' for t in tags) + "]", f'paths = ["src/{tags[0]}/**"]',
              "created = 2025-06-01T10:00:00Z", f'author = "{team} <{team}@example.com>"', "+++", ""]
    body, target = [], rng.randint(500, 1200)
    sections = ["## Context", "## Decision", "## Consequences"]
    while sum(len(b) for b in body) < target:
        body.append(sections[len(body) % 3])
        body.append(" ".join(rng.choice(pool) for _ in range(rng.randint(2, 4))))
    if i % 997 == 0:  # a long-tail fact, as real memory has: about one record in a thousand
        body.append("The zanzibar incident taught us to pin every dependency version.")
    text = "\n".join(lines) + "\n\n".join(body) + "\n"
    slug = "-".join(w.lower() for w in title_words[:4])
    return f".datazentr/{folder}/{rid}-{slug}.md", text, rid


def blob(out, path, text):
    data = text.encode()
    out.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode())
    out.write(data)
    out.write(b"\n")


def commit(out, message, when, parent=None):
    out.write(b"commit refs/heads/main\n")
    out.write(f"committer Bench <bench@example.com> {when} +0000\n".encode())
    out.write(f"data {len(message)}\n{message}\n".encode())
    if parent:
        out.write(f"from {parent}\n".encode())


def fast_import(repo):
    return subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE)


def init(repo, bare):
    os.makedirs(repo, exist_ok=True)
    args = ["git", "init", "-q", "-b", "main"] + (["--bare"] if bare else [])
    subprocess.run(args + [repo], check=True)


def hub(repo, rng, pool, tail, team, first, count):
    init(repo, bare=True)
    p = fast_import(repo)
    commit(p.stdin, f"{team} memory", 1_700_000_000)
    ids = []
    for i in range(first, first + count):
        path, text, rid = record(rng, pool, tail, i, team, 1_700_000_000_000)
        blob(p.stdin, path, text)
        ids.append(rid)
    for n in range(20):  # the registry: projects born by genesis, with what they said
        pid = b32(rng.getrandbits(110), 22)
        template = TEMPLATES[n % len(TEMPLATES)]
        blob(p.stdin, f"projects/{team}-project-{n}-{pid}/project.toml",
             f'name = "{team}-project-{n}"\nid = "{pid}"\ntemplate = "{template}"\nversion = "1.0.0"\n'
             f'skills = ["ci"]\ninherited = []\nstage = "active"\ncreated = "2025-07-01T00:00:00Z"\n')
        for rid in rng.sample(ids, min(5, len(ids))):
            verdict = "failure" if template == "web-app" and rng.random() < 0.6 else rng.choice(["success", "success", "mixed"])
            blob(p.stdin, f"outcomes/{rid}/{b32(rng.getrandbits(110), 22)}.toml",
                 f'record = "{rid}"\nproject = "{team}-project-{n}"\nproject_id = "{pid}"\nverdict = "{verdict}"\n'
                 f'time = "2026-01-01T00:00:00Z"\nmessage = ""\n')
    p.stdin.close()
    assert p.wait() == 0


def main():
    args = sys.argv[1:]
    mode = args.pop(0) if args[0].startswith("--") else "--hubs"
    rng = random.Random(42)
    tail = long_tail(rng)
    if mode == "--add":
        root, hubs, k = args[0], int(args[1]), int(args[2])
        rng = random.Random(int(args[3]) if len(args) > 3 else 7)
        pool = sentence_pool(rng, tail, 2000)
        for j in range(k):
            repo = os.path.join(root, f"hub-{j % hubs:02}.git")
            p = fast_import(repo)
            commit(p.stdin, "one more record", 1_800_000_000 + j, parent="refs/heads/main^0")
            path, text, _ = record(rng, pool, tail, 9_000_000 + j, f"team{j % hubs:02}", 1_800_000_000_000)
            blob(p.stdin, path, text)
            p.stdin.close()
            assert p.wait() == 0
        return
    if mode == "--work":
        root, n = args[0], int(args[1])
        rng = random.Random(int(args[2]) if len(args) > 2 else 42)
        pool = sentence_pool(rng, tail)
        init(root, bare=False)
        p = fast_import(root)
        commit(p.stdin, "local memory", 1_700_000_000)
        for i in range(n):
            path, text, _ = record(rng, pool, tail, i, "local", 1_600_000_000_000)
            blob(p.stdin, path, text)
        p.stdin.close()
        assert p.wait() == 0
        subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)
        return
    root, hubs, n = args[0], int(args[1]), int(args[2])
    rng = random.Random(int(args[3]) if len(args) > 3 else 42)
    pool = sentence_pool(rng, tail)
    per = n // hubs
    for h in range(hubs):
        count = per + (1 if h < n % hubs else 0)
        hub(os.path.join(root, f"hub-{h:02}.git"), rng, pool, tail, f"team{h:02}", h * 10_000_000, count)


if __name__ == "__main__":
    main()
