-- W1 intake: POST /api/v1/tickets, one distinct ticket per request.
-- Environment: W1_RUN (run id), W1_SESSION, W1_CSRF, W1_EMAILS (comma-separated customer e-mails),
-- W1_CATEGORIES (comma-separated category codes). Title marker: [W1:<run>:<client>-<n>].
-- Counts requests sent and answered per thread: in flight at the deadline = sent - answered.
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("client", counter)
  table.insert(threads, thread)
end

local function split(s)
  local out = {}
  for item in string.gmatch(s or "", "[^,]+") do table.insert(out, item) end
  return out
end

local run_id = os.getenv("W1_RUN") or "x"
local session = os.getenv("W1_SESSION") or ""
local csrf = os.getenv("W1_CSRF") or ""
local emails = split(os.getenv("W1_EMAILS"))
local categories = split(os.getenv("W1_CATEGORIES"))
local zh = {
  "您好，我家的洗衣机最近一直漏水，已经按照说明书重启过，问题依旧。家里老人在用，比较着急，希望尽快安排师傅上门维修，谢谢！",
  "空调安装后无法制冷，显示错误代码E12，客服热线一直占线。产品还在保修期内，请联系我的手机号，周末全天在家。",
  "热水器有异味并且自动断电，上次维修后只好了两天。附上照片请查看，要求退货退款，订单号已经提供给客服了。",
}
local en = {
  "Hello, the washing machine I bought last year is leaking water again. I already restarted it as the manual says. Please send a technician.",
  "The air conditioner shows error code E12 and is not cooling. The product is still under warranty; please call me back on my mobile.",
  "The water heater has a strange smell and shuts off randomly. It only worked for two days after the last repair. I would like a refund.",
}

function init(args)
  sent = 0; answered = 0; ok = 0; bad = 0; statuses = {}
  n = 0
end

local function esc(s) return (string.gsub(s, '"', '\\"')) end

function request()
  n = n + 1
  sent = sent + 1
  local i = n % 3 + 1
  local zh_text = (n % 2 == 0)
  local marker = string.format("[W1:%s:%d-%d]", run_id, client, n)
  local title = marker .. (zh_text and " 洗衣机漏水，申请上门维修" or " Washing machine is leaking water - request on-site repair")
  local body = string.format(
    '{"customer_name":"W1 bench %d","email":"%s","title":"%s","description":"%s","channel":"api",' ..
    '"request_type":"repair","category_code":"%s","priority":%d}',
    client, emails[(n % #emails) + 1], esc(title), esc(zh_text and zh[i] or en[i]),
    categories[(n % #categories) + 1], (n % 3) + 1)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
    ["X-CSRFToken"] = csrf,
    ["Idempotency-Key"] = string.format("w1-%s-%d-%d", run_id, client, n),
  }
  return wrk.format("POST", "/api/v1/tickets", headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if bad > 0 and bad <= 3 and not (status >= 200 and status < 300) then
    io.stderr:write("W1 non-2xx " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n")
  end
end

function done(summary, latency, requests)
  local s, a, o, b = 0, 0, 0, 0
  local tally = {}
  for _, t in ipairs(threads) do
    s = s + t:get("sent"); a = a + t:get("answered"); o = o + t:get("ok"); b = b + t:get("bad")
    local st = t:get("statuses")
    for k, v in pairs(st) do tally[k] = (tally[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(tally) do table.insert(parts, string.format('"%s":%d', k, v)) end
  io.write(string.format(
    'BENCHJSON {"sent":%d,"answered":%d,"ok":%d,"non2xx":%d,"statuses":{%s},"completed":%d,"duration_us":%d,' ..
    '"socket_errors":%d,"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    s, a, o, b, table.concat(parts, ","), summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
