-- cinefile language server for Neovim's built-in LSP client. Works on Neovim 0.7 and later,
-- without nvim-lspconfig: it starts `cinefile lsp` once per project (the folder holding
-- cinefile.toml) and attaches every Markdown buffer inside that project to it.
--
-- Install: copy this file to ~/.config/nvim/plugin/cinefile.lua (or paste it into init.lua).
-- Options, set before it loads (e.g. at the top of init.lua):
--   vim.g.cinefile_cmd  = { "/path/to/venv/bin/cinefile", "lsp" }  -- default: cinefile on PATH
--   vim.g.cinefile_mode = "final"                                   -- default: cinefile.toml's mode
-- API keys come from the environment Neovim was started in (OPENROUTER_API_KEY, REPLICATE_API_TOKEN);
-- without them the server generates in mock mode.

local clients = {} -- project root -> client id
local warned = false

-- The folder holding cinefile.toml at or above `path`; nil outside a project.
local function project_root(path)
  local config = vim.fn.findfile("cinefile.toml", vim.fn.fnameescape(vim.fn.fnamemodify(path, ":p:h")) .. ";")
  if config == "" then
    return nil
  end
  return vim.fn.fnamemodify(config, ":p:h")
end

local function server_cmd()
  local cmd = vim.g.cinefile_cmd or { "cinefile", "lsp" }
  if vim.fn.executable(cmd[1]) == 1 then
    return cmd
  end
  if not warned then
    warned = true
    vim.notify("cinefile: `" .. cmd[1] .. "` not found. Install it with `python -m pip install cinefile`, "
      .. "or set vim.g.cinefile_cmd = { '/path/to/cinefile', 'lsp' }.", vim.log.levels.WARN)
  end
  return nil
end

local function start(root)
  local cmd = server_cmd()
  if not cmd then
    return nil
  end
  return vim.lsp.start_client({
    name = "cinefile",
    cmd = cmd,
    cmd_cwd = root,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") } },
    init_options = { mode = vim.g.cinefile_mode },
    on_attach = function(_, bufnr)
      -- <C-x><C-o> completes ids, types and keys from the server.
      vim.api.nvim_buf_set_option(bufnr, "omnifunc", "v:lua.vim.lsp.omnifunc")
    end,
  })
end

local function attach(args)
  local name = vim.api.nvim_buf_get_name(args.buf)
  local root = name ~= "" and project_root(name)
  if not root then
    return
  end
  local id = clients[root]
  -- A client that has exited is gone from get_client_by_id: start a new one.
  if not id or not vim.lsp.get_client_by_id(id) then
    id = start(root)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(args.buf, id)
  end
end

vim.api.nvim_create_autocmd("FileType", {
  group = vim.api.nvim_create_augroup("cinefile", { clear = true }),
  pattern = "markdown",
  callback = attach,
  desc = "Attach cinefile lsp to Markdown files in a cinefile project",
})
