"""What every open data answer may be, declared once for the whole schema (a drf-spectacular
post-processing hook) rather than on each view: the validators and schemathesis read the schema,
so a status the API can return and the schema does not name is a broken contract."""

from typing import Any

ETAG = {
    "description": "A digest of the body: send it back in If-None-Match to be told 304 if nothing changed.",
    "schema": {"type": "string"},
}
CACHE_CONTROL = {"description": "Shared caches may keep the answer this long.", "schema": {"type": "string"}}
LAST_MODIFIED = {
    "description": "When a version's text last changed (versions only).",
    "schema": {"type": "string"},
}
CORS = {"description": "Any site may read the answer (no credentials).", "schema": {"type": "string"}}
PROBLEM = {
    "application/json": {
        "schema": {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
    }
}
INVALID = {
    "application/json": {
        "schema": {
            "type": "object",
            "description": "Each parameter that was wrong, with what it must be.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    }
}
CONDITIONAL_PARAMETERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The ETag of the copy you have.",
        "schema": {"type": "string"},
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "The Last-Modified of the copy you have.",
        "schema": {"type": "string"},
    },
]


def declare_common_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            ok = responses.get("200")
            if ok is not None:
                ok.setdefault("headers", {}).update(
                    {
                        "ETag": ETAG,
                        "Cache-Control": CACHE_CONTROL,
                        "Last-Modified": LAST_MODIFIED,
                        "Access-Control-Allow-Origin": CORS,
                    }
                )
            operation.setdefault("parameters", []).extend(CONDITIONAL_PARAMETERS)
            responses.setdefault(
                "304",
                {
                    "description": "Not modified: the copy named by If-None-Match or If-Modified-Since is current."
                },
            )
            responses.setdefault(
                "404",
                {"description": "Not found, or not public (or a page past the last).", "content": PROBLEM},
            )
            if any(parameter["name"] == "page" for parameter in operation["parameters"]):
                responses.setdefault(
                    "400", {"description": "A query parameter is not what it must be.", "content": INVALID}
                )
            responses.setdefault(
                "429",
                {
                    "description": "Too many requests from this address: wait as long as Retry-After says.",
                    "headers": {
                        "Retry-After": {
                            "description": "Seconds to wait.",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    },
                    "content": PROBLEM,
                },
            )
    return result


_LINK = {"type": "string", "format": "uri"}
_DAY = {"type": "string", "format": "date", "nullable": True}  # OpenAPI 3.0: nullable, not a type list
VERIFY_ANSWER = {
    "type": "object",
    "required": ["fingerprint", "found"],
    "properties": {
        "fingerprint": {"type": "string"},
        "found": {"type": "boolean"},
        "message": {"type": "string", "description": "Why nothing was found (400, 404)."},
        "matches": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["compact", "version", "current_version"],
                "properties": {
                    "compact": {
                        "type": "object",
                        "properties": {"title": {"type": "string"}, "url": _LINK},
                    },
                    "version": {
                        "type": "object",
                        "properties": {
                            "number": {"type": "integer"},
                            "fingerprint": {"type": "string"},
                            "short_fingerprint": {"type": "string"},
                            "status": {"type": "string", "enum": ["published", "superseded"]},
                            "current": {"type": "boolean"},
                            "ratified_on": _DAY,
                            "published_on": _DAY,
                            "superseded_on": _DAY,
                            "url": _LINK,
                        },
                    },
                    "current_version": {
                        "type": "object",
                        "nullable": True,
                        "properties": {
                            "number": {"type": "integer"},
                            "fingerprint": {"type": "string"},
                            "url": _LINK,
                        },
                    },
                },
            },
        },
    },
}


def declare_verify(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """/verify/<fingerprint>.json is a plain Django view beside the /verify/ page, outside the API's
    prefix; it is part of the open data all the same, so the schema describes it."""
    answer = {"application/json": {"schema": VERIFY_ANSWER}}
    result.setdefault("paths", {})["/verify/{fingerprint}.json"] = {
        "get": {
            "operationId": "verify_fingerprint",
            "summary": "Check a fingerprint",
            "description": (
                "Which public versions have this fingerprint (the full 64 hexadecimal digits, or the "
                "short one printed on the PDF): the same answer as the /verify/ page."
            ),
            "tags": ["verify"],
            "parameters": [
                {
                    "name": "fingerprint",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^([0-9a-fA-F]{12}|[0-9a-fA-F]{64})$"},
                    "description": "A version's fingerprint, full (64 hexadecimal digits) or short (12).",
                },
                *CONDITIONAL_PARAMETERS,
            ],
            "responses": {
                "200": {
                    "description": "Found.",
                    "headers": {
                        "ETag": ETAG,
                        "Cache-Control": CACHE_CONTROL,
                        "Access-Control-Allow-Origin": CORS,
                    },
                    "content": answer,
                },
                "304": {"description": "Not modified."},
                "400": {"description": "Not a fingerprint.", "content": answer},
                "404": {"description": "No public version has this fingerprint.", "content": answer},
            },
        }
    }
    return result
