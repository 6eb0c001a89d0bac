"""Generation through `cinefile mcp`: the plan states the estimate; a run goes ahead only once
confirmed (by the user, when the client can ask; else by `confirm_cost`) and only within the
budget; and API keys never come back out, in a result, a resource or the log."""

from __future__ import annotations

import secrets

from mcp_session import accept, data_of, decline, error_of, provider_seen, sample_copy, server_env, session

OPENROUTER_KEY = "sk-or-v1-leaktest" + secrets.token_hex(16)
REPLICATE_KEY = "r8_leaktest" + secrets.token_hex(16)
SHOT_STILL = {"ids": ["shot-1a"], "kind": "image"}


async def test_plans_and_runs_a_mock_generation_with_confirmation(tmp_path):
    film = sample_copy(tmp_path)
    shot = film / "shooting/shot-1a.md"
    before, asked = shot.read_text(), []
    async with session(film, elicit=decline(asked)) as client:
        declined = error_of(await client.call_tool("generate", SHOT_STILL))
    assert declined == "generate: the generation was declined: nothing was generated"
    assert asked == ["cinefile: run 1 generation(s), free (mock or cached)? 1 to generate, about $0.0000 before cache hits."]
    assert shot.read_text() == before

    asked.clear()
    async with session(film, elicit=accept(asked)) as client:
        plan = data_of(await client.call_tool("plan_generation", SHOT_STILL))
        run = data_of(await client.call_tool("generate", SHOT_STILL))
    assert [(job["provider"], job["estimate_usd"]) for job in plan["jobs"]] == [("mock", 0.0)]
    assert plan["estimate_usd"] == 0 and plan["over_budget"] is None
    assert len(asked) == 1 and run["done"] == 1 and run["cost_usd"] == 0
    assert "role: still" in shot.read_text()

    async with session(film) as client:  # a client that cannot ask its user: confirm_cost
        unconfirmed = error_of(await client.call_tool("generate", SHOT_STILL))
        wrong = error_of(await client.call_tool("generate", SHOT_STILL | {"confirm_cost": 0.5}))
        confirmed = data_of(await client.call_tool("generate", SHOT_STILL | {"confirm_cost": 0}))
    assert unconfirmed == ("generate: this would run 1 generation(s), free (mock or cached): nothing was generated; "
                           "to go ahead, call generate again with confirm_cost=0.0 (this client cannot ask its user)")
    assert wrong.startswith("generate: confirm_cost 0.5 is not the estimate, 0.0: nothing was generated")
    assert confirmed["cached"] == 1  # the same request again: from the cache, free


async def test_asks_to_confirm_on_a_client_of_the_handshake_protocols(tmp_path):
    """Before 2026-07-28 the question goes to the client mid-call; since, in the call's result."""
    film, asked = sample_copy(tmp_path), []
    async with session(film, elicit=accept(asked), mode="legacy") as client:
        run = data_of(await client.call_tool("generate", SHOT_STILL))
    assert len(asked) == 1 and run["done"] == 1


async def test_refuses_a_generation_over_the_budget(tmp_path):
    film = sample_copy(tmp_path)
    config = film / "cinefile.toml"
    config.write_text(config.read_text().replace("# limit_usd = 10.0", "limit_usd = 0.01"))
    scene_text = {"ids": ["scene-2"], "overwrite": True}
    before, asked, calls = (film / "story/scene-2.md").read_text(), [], len(provider_seen())
    async with session(film, env=server_env(OPENROUTER_API_KEY=OPENROUTER_KEY), elicit=accept(asked)) as client:
        plan = data_of(await client.call_tool("plan_generation", scene_text))
        refused = error_of(await client.call_tool("generate", scene_text | {"confirm_cost": plan["estimate_usd"]}))
        asked_first = error_of(await client.call_tool("generate", scene_text))
    assert [(job["provider"], job["model"]) for job in plan["jobs"]] == [("openrouter", "fake/priced-writer")]
    assert plan["estimate_usd"] > 0.01 and plan["budget"] == {"limit_usd": 0.01, "spent_usd": 0, "left_usd": 0.01}
    assert plan["over_budget"].startswith("budget: this would take spend to $")
    assert refused.startswith(f"generate: budget: this would take spend to ${plan['estimate_usd']:.4f}, "
                              "over the $0.0100 limit in cinefile.toml")
    assert asked_first == refused and asked == []  # never asked to pay for what the budget refuses
    assert len(provider_seen()) == calls and (film / "story/scene-2.md").read_text() == before


async def test_keys_never_appear_in_any_result_resource_or_log(tmp_path):
    film, asked, answers = sample_copy(tmp_path), [], []
    log = tmp_path / "server.log"
    env = server_env(OPENROUTER_API_KEY=OPENROUTER_KEY, REPLICATE_API_TOKEN=REPLICATE_KEY)
    async with session(film, env=env, elicit=accept(asked), log=log) as client:
        plan = await client.call_tool("plan_generation", {"ids": ["scene-2"], "overwrite": True})
        answers.append(plan)
        answers.append(await client.call_tool("generate", {"ids": ["scene-2"], "overwrite": True}))
        answers.append(await client.call_tool("plan_generation", SHOT_STILL))
        answers.append(await client.call_tool("generate", SHOT_STILL | {"mode": "final"}))
        for resource in (await client.list_resources()).resources:
            answers.append(await client.read_resource(resource.uri))
        answers.append(await client.read_resource("cinefile://blocks/scene-2"))
    assert any(OPENROUTER_KEY in seen for seen in provider_seen()), "the key never reached the provider"
    assert data_of(answers[1])["failed"] == 1 and len(asked) == 1
    shown = "\n".join(answer.model_dump_json() for answer in answers) + "\n".join(asked) + log.read_text()
    for key in (OPENROUTER_KEY, REPLICATE_KEY):
        assert key not in shown
        for path in film.rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path
