#!/usr/bin/env python3
"""Writes N synthetic but realistic git-zen records (1-3 KB of engineering prose) into DIR/.datazentr.

    gen_records.py DIR N [SEED]

Deterministic for a seed. Ids follow git-zen's format (9 chars of time + 13 random, Crockford base32).
"""
import os
import random
import sys

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
TOPICS = """cache session storage queue kafka rabbitmq postgres redis sqlite index search latency throughput
retry backoff timeout circuit breaker rate limit pagination schema migration rollback deploy canary
blue green feature flag observability tracing metrics logging alerting oncall incident postmortem
authentication authorization token oauth encryption secrets rotation backup restore replication
sharding partition consistency transaction idempotency webhook api versioning grpc rest graphql
testing fixtures mocking integration contract snapshot fuzzing benchmark profiling memory leak
container kubernetes terraform pipeline artifact release semver changelog monorepo dependency""".split()
VERBS = "choose adopt prefer avoid replace measure split merge cache retry batch stream validate encrypt".split()
FILLER = """the team we because so that after before when while with without across between under over
instead of which this that these those our their its a an and or but not only also then""".split()
KINDS = [("decision", "decisions"), ("pattern", "patterns"), ("lesson", "lessons")]
STATUS = ["accepted"] * 8 + ["proposed", "superseded", "deprecated", "rejected"]
OUTCOMES = ["success", "success", "failure", "mixed", "unknown"]


def b32(value, chars):
    out = []
    for _ in range(chars):
        out.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def sentence(rng):
    words = [rng.choice(VERBS)] + [rng.choice(TOPICS if rng.random() < 0.45 else FILLER) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def main():
    root, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    base_ms = 1_700_000_000_000
    for _, folder in KINDS:
        os.makedirs(os.path.join(root, ".datazentr", folder), exist_ok=True)
    for i in range(n):
        kind, folder = KINDS[i % 3]
        rid = b32(base_ms + i * 1000, 9) + b32(rng.getrandbits(65), 13)
        title_words = [rng.choice(VERBS).capitalize()] + rng.sample(TOPICS, 3)
        title = " ".join(title_words) + f" ({i})"
        tags = rng.sample(TOPICS, 2)
        lines = ["+++", f'id = "{rid}"', f'kind = "{kind}"', f'title = "{title}"', f'status = "{rng.choice(STATUS)}"']
        if kind != "decision":
            lines.append(f'outcome = "{rng.choice(OUTCOMES)}"')
        lines += [f"tags = {tags!r}".replace("'", '"'), f'paths = ["src/{tags[0]}/**"]', "supersedes = []", "links = []",
                  "created = 2025-06-01T10:00:00Z", 'author = "Bench <bench@example.com>"', "+++", ""]
        body = []
        target = rng.randint(1000, 3000)
        sections = ["## Context", "## Decision", "## Consequences"]
        while sum(len(b) for b in body) < target:
            body.append(sections[len(body) % 3])
            body.append(paragraph(rng))
        if i % 997 == 0:  # a long-tail word, as real memory has: about one record in a thousand
            body.append("The zanzibar incident taught us to pin every dependency version.")
        slug = "-".join(w.lower() for w in title_words)
        with open(os.path.join(root, ".datazentr", folder, f"{rid}-{slug}.md"), "w") as f:
            f.write("\n".join(lines) + "\n\n".join(body) + "\n")


if __name__ == "__main__":
    main()
