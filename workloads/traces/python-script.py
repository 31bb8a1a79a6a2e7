# The program behind python.trace (record.sh): a short, ordinary Python job whose objects all go
# through malloc (PYTHONMALLOC=malloc): records parsed from JSON, grouped, sorted and written back.
import json
import random

random.seed(42)
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
rows = [{"id": i, "name": random.choice(words) * random.randint(1, 4), "score": random.random(),
         "tags": random.sample(words, 3)} for i in range(5000)]
text = json.dumps(rows)
parsed = json.loads(text)
groups = {}
for row in parsed:
    groups.setdefault(row["name"], []).append(row)
summary = {name: sorted(r["score"] for r in members)[len(members) // 2] for name, members in groups.items()}
lines = [f"{r['id']:06d} {r['name']:<20} {r['score']:.4f} {','.join(r['tags'])}" for r in parsed]
lines.sort(key=lambda line: line.split()[1])
print(len(text), len(lines), len(summary))
