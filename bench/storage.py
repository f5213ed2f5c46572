"""The portal's production static storage, minus the rewriting of source-map comments.

Used only when `collectstatic` fails with the portal's own storage because a
vendored file names a source map that is not vendored (Bootstrap's
`sourceMappingURL` comments). Hashing, the manifest and the gzip copies stay
as in production, so page weight and caching are measured as they would be.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    def names_source_map(pattern) -> bool:
        return "sourceMappingURL" in (pattern if isinstance(pattern, str) else pattern[0])

    return tuple(
        (glob, tuple(pattern for pattern in rules if not names_source_map(pattern))) for glob, rules in patterns
    )


class SourceMapTolerantStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
