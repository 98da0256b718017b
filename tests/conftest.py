"""Cross-app tests (browser tests) use the same fixtures as the apps' own tests."""

from gongzhi.conftest import *  # noqa: F403
