"""Baseline: a Python asyncio + aiohttp client that sends N chat requests with 64 in flight and
stores every answer in SQLite (one commit per 256 answers), like a typical eval harness."""
import asyncio, json, sqlite3, sys, time
import aiohttp

async def main(url, n, conc, db_path):
    db = sqlite3.connect(db_path)
    db.execute("pragma journal_mode=wal"); db.execute("pragma synchronous=normal")
    db.execute("create table if not exists answers (id integer primary key, prompt text, response text)")
    sem = asyncio.Semaphore(conc)
    pending = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conc)) as s:
        async def one(i):
            body = {"model": "bench", "messages": [{"role": "user", "content": f"Write one sentence about item {i}"}],
                    "temperature": 0, "max_tokens": 8}
            async with sem:
                async with s.post(url, json=body) as r:
                    j = await r.json(content_type=None)
            pending.append((i, body["messages"][0]["content"], j["choices"][0]["message"]["content"]))
            if len(pending) >= 256:
                db.executemany("insert or replace into answers values (?,?,?)", pending); db.commit(); pending.clear()
        t = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        db.executemany("insert or replace into answers values (?,?,?)", pending); db.commit()
        return time.perf_counter() - t

if __name__ == "__main__":
    url, n, conc, db = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    secs = asyncio.run(main(url, n, conc, db))
    print(json.dumps({"bench": "python_aiohttp_sqlite", "requests": n, "seconds": secs, "rps": n / secs}))
