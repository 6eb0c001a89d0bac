"""The server: the SDK's `MCPServer`, with every failure turned into one clear message
(errors.py), and the project's resources, tools and prompts registered on it."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.shared.exceptions import MCPError

from ..api import ProjectAPI
from .errors import prompt_failure, resource_failure, tool_failure

INSTRUCTIONS = """\
A film project of cinefile: Markdown blocks (logline, outline, acts, beats, scenes, characters,
locations, shots, ...) with YAML frontmatter, each made from its parent and its dependencies.
Read `cinefile://project` first, then the story (`cinefile://story`) and any block
(`cinefile://blocks/{id}`). To change a block, read it with `read_block` and write it back with
`write_block`, passing the `file_hash` you read as `base_hash`: a write over a file that changed
since is refused with the text now on disk. Text a person wrote by hand is replaced only with
`overwrite`. Generation spends money: `plan_generation` says what it would cost, and
`generate` runs only within the budget and once the cost is confirmed."""


class ProjectServer(MCPServer):
    """MCPServer whose tools, resources and prompts fail with one line each."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except MCPError:
            raise  # a protocol error (a capability the client lacks): the SDK answers it
        except ToolError as error:
            return tool_failure(name, error)

    async def read_resource(self, uri: Any, context: Context | None = None) -> Any:
        try:
            return await super().read_resource(uri, context)
        except ResourceError as error:
            raise resource_failure(str(uri), error) from None

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None, context: Context | None = None) -> Any:
        try:
            return await super().get_prompt(name, arguments, context)
        except MCPError:
            raise
        except Exception as error:  # the SDK wraps each failure in a ValueError: unwrapped in errors.py
            raise MCPError.from_error_data(prompt_failure(name, error)) from None


def create_server(api: ProjectAPI) -> ProjectServer:
    """The MCP server of one open project: everything it offers goes through `api`."""
    from .generation import add_generation_tools
    from .prompts import add_prompts
    from .resources import add_resources
    from .tools import add_tools

    server = ProjectServer(f"cinefile: {api.project.config.name}", instructions=INSTRUCTIONS,
                           version=_version(), log_level="WARNING")
    add_resources(server, api)
    add_tools(server, api)
    add_generation_tools(server, api)
    add_prompts(server, api)
    return server


def _version() -> str:
    from cinefile import __version__

    return __version__
