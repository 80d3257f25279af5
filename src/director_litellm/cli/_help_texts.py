"""The command's help texts: what each command does, examples, and where api_base ends in /v1.

Laid out for 80 columns (``RawDescriptionHelpFormatter`` keeps the line breaks).
"""

from __future__ import annotations

DESCRIPTION = """\
Use any LiteLLM model from VideoDB's Director. Settings come from LITELLM_*
environment variables (see the README's configuration table); provider keys
from the provider's own variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...) or
LITELLM_API_KEY."""

_EXIT_CODES = """\
exit codes: 0 ok; 1 the setup cannot work / the call failed; 2 usage error."""

EPILOG = f"""\
examples:
  director-litellm demo                 see it work: no key, no network
  director-litellm doctor               can my setup work? (start here)
  director-litellm chat "Say hello"     one real call with the configured model
  director-litellm providers --check    what Director can discover and load

{_EXIT_CODES}
Run "director-litellm COMMAND --help" for a command's options."""

PROVIDERS_HELP = """\
List the LLM providers installed in the entry-point group
director.llm_providers (the group Director's get_default_llm() reads), from
package metadata alone. With --check, import each one on its own and report OK
or why it cannot be used."""

PROVIDERS_EPILOG = """\
examples:
  director-litellm providers
  director-litellm providers --check
  director-litellm providers --json | jq '.providers[].name'

exit codes: 0 ok; 1 a provider failed --check, or none is installed;
2 usage error."""

DOCTOR_HELP = """\
Tell whether this setup can work, on one screen, without calling any model and
without network: the resolved configuration (secrets masked), the installed
litellm and its verdict (known-compromised, known-broken or fine), stray .pth
files left by a compromised litellm, the model's capabilities from litellm's
bundled model map, an api_base that lacks its /v1, which API key variable
litellm will use, variables that look misspelled or clash, and whether the
Director this Python imports honours DEFAULT_LLM=litellm (with the command that
applies the shipped patch if not). In router mode (LITELLM_ROUTER_CONFIG): the
file's model groups and deployments, read offline, and the LITELLM_* settings
router mode ignores."""

_API_BASE = """\
api_base (LITELLM_API_BASE, chat's --api-base) is where requests go:
  ends in /v1 for OpenAI-compatible servers (model openai/NAME):
    vLLM                 http://gpu:8000/v1
    Ollama's OpenAI API  http://localhost:11434/v1
    LM Studio            http://localhost:1234/v1
    a LiteLLM Proxy      http://litellm-proxy:4000/v1 (it also serves without)
  no /v1: litellm adds the provider's own path:
    Anthropic            https://api.anthropic.com
    Azure                https://NAME.openai.azure.com (LITELLM_API_VERSION too)
    Ollama (ollama/...)  http://localhost:11434"""

DOCTOR_EPILOG = f"""\
examples:
  director-litellm doctor
  LITELLM_CHAT_MODEL=anthropic/claude-sonnet-4-5 director-litellm doctor
  director-litellm doctor --model groq/llama-3.1-8b-instant
  director-litellm doctor --json | jq .problems
  director-litellm doctor --site-packages /srv/venv/lib/python3.12/site-packages

{_API_BASE}

{_EXIT_CODES.replace("/ the call failed", "(FAIL lines)")}
Warnings (WARN) do not change the exit code."""

CHAT_HELP = """\
Make one completion through LiteLLMProvider, exactly as Director would, with the
configuration from the environment overridden by the flags given. The answer and
any tool calls go to stdout; a one-line summary (model, tokens, cost, latency)
goes to stderr, so "> file" keeps only the answer. Input tokens read from or
written to the provider's prompt cache are shown when there are any, as in
"8100 in (5000 cached, 3000 written) + 7 out = 8107 tokens". --stream prints
the answer as it arrives. A failure is one line on stderr naming the fix (never
with a key in it) and exit code 1; a missing key, a misspelt LITELLM_* variable
or a model with no provider prefix is reported before litellm is imported."""

CHAT_EPILOG = f"""\
examples:
  director-litellm chat "Say hello in five words"
  director-litellm chat "Hi" --model anthropic/claude-sonnet-4-5 --max-tokens 99
  director-litellm chat "Tell a short story" --stream
  director-litellm chat "Hi" --model openai/qwen --api-base http://gpu:8000/v1
  director-litellm chat "Hi" --model ollama/qwen3 --api-base http://gpu:11434
  echo "Summarise: ..." | director-litellm chat - --system "Be brief."
  director-litellm chat "Find cat videos" --tools tools.json --json

{_API_BASE}

{_EXIT_CODES}"""

DEMO_HELP = """\
Run one Director turn through LiteLLMProvider and real litellm, with no key and
no network: an OpenAI-compatible endpoint starts on 127.0.0.1 inside this
process, and the demo asks a question with Director's tools (a tool call comes
back in Director's shape), runs the tool, sends the result (the final answer
comes back) and streams a short answer. Each step prints what reached the wire,
what came back, tokens and latency. LITELLM_* variables are ignored."""

DEMO_EPILOG = """\
examples:
  director-litellm demo
  director-litellm demo > demo.txt

exit codes: 0 every step worked; 1 a step failed (one line says which);
2 usage error."""
