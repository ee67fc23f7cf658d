"""Shared pytest configuration: hypothesis profiles.

`ci` (the default) keeps the property suite inside the time budget of `make test`;
`dev` explores more examples (`HYPOTHESIS_PROFILE=dev pytest ...`).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
