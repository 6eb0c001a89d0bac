-- Drives headless Neovim for tests/editors/test_neovim.py: opens a block with the cinefile config
-- loaded, waits (with a deadline, polling) for the server to attach and publish diagnostics, asks
-- for completion in a new `dependencies:` entry, and writes what it saw as JSON.
--
-- Environment: CINEFILE_PROBE_FILE (the block to open), CINEFILE_PROBE_OUT (the JSON to write),
-- CINEFILE_PROBE_TIMEOUT (milliseconds for each wait), CINEFILE_PROBE_WAIT_FOR (text a diagnostic
-- must contain).

local timeout = tonumber(os.getenv("CINEFILE_PROBE_TIMEOUT") or "20000")
local wait_for = os.getenv("CINEFILE_PROBE_WAIT_FOR") or ""
local seen = {}

-- The cinefile client attached to the buffer, once it is initialized.
local function cinefile_client(bufnr)
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == "cinefile" and client.initialized then
      return client
    end
  end
  return nil
end

-- Clients started so far, initialized or not (ids count up from 1 in a fresh Neovim).
local function started_clients()
  local count = 0
  for id = 1, 16 do
    if vim.lsp.get_client_by_id(id) then
      count = count + 1
    end
  end
  return count
end

local function diagnostics(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(found, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message })
  end
  return found
end

-- A new, empty entry after the last item of the block list under `dependencies:`;
-- returns its 0-based line and the column after "- ".
local function new_dependency_entry(bufnr)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local last
  for i, line in ipairs(lines) do
    if line:match("^dependencies:%s*$") then
      last = i
    elseif last and last == i - 1 and line:match("^%s+%- ") then
      last = i
    end
  end
  assert(last, "no block-style `dependencies:` list in " .. vim.api.nvim_buf_get_name(bufnr))
  vim.api.nvim_buf_set_lines(bufnr, last, last, false, { "  - " })
  return last, 4
end

local function completion_labels(bufnr, line, character)
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr),
    position = { line = line, character = character } }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, timeout) or {}
  local labels = {}
  for _, response in pairs(responses) do
    if response.err then
      seen.completion_error = vim.inspect(response.err)
    end
    local result = response.result or {}
    for _, item in ipairs(result.items or result) do
      table.insert(labels, item.label)
    end
  end
  return labels
end

local function probe()
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("CINEFILE_PROBE_FILE")))
  local bufnr = vim.api.nvim_get_current_buf()
  seen.filetype = vim.bo[bufnr].filetype
  -- The config starts the server synchronously on FileType, so this is known at once.
  seen.started = started_clients()
  if seen.started == 0 then
    seen.attached = false
    seen.messages = vim.fn.execute("messages")
    return
  end
  local client_id = 1
  vim.wait(timeout, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client == nil or client.is_stopped() or cinefile_client(bufnr) ~= nil
  end, 20)
  seen.attached = cinefile_client(bufnr) ~= nil
  if not seen.attached then
    local client = vim.lsp.get_client_by_id(client_id)
    seen.server_exited = client == nil or client.is_stopped()
    return
  end
  seen.diagnostics_arrived = vim.wait(timeout, function()
    for _, d in ipairs(diagnostics(bufnr)) do
      if d.message:find(wait_for, 1, true) then
        return true
      end
    end
    return false
  end, 20)
  seen.diagnostics = diagnostics(bufnr)
  local line, character = new_dependency_entry(bufnr)
  seen.completion = completion_labels(bufnr, line, character)
end

local ok, err = pcall(probe)
if not ok then
  seen.error = tostring(err)
end
local out = assert(io.open(assert(os.getenv("CINEFILE_PROBE_OUT")), "w"))
out:write(vim.fn.json_encode(seen))
out:close()
vim.cmd("qall!")
