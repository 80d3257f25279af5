"""Support for tests/test_proxy.py: a real LiteLLM Proxy subprocess on 127.0.0.1 (see ``server``)."""
