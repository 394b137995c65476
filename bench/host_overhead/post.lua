wrk.method = "POST"
wrk.body   = '{"model":"bench","messages":[{"role":"user","content":"Write one sentence about item 1"}],"temperature":0,"max_tokens":8}'
wrk.headers["Content-Type"] = "application/json"
