"""The offline Pulumi harness behind :mod:`stacks.testing`, one concept per module.

``records`` (what a run recorded), ``mocks`` (azure-native-like echo mocks), ``monitor``
(the recording mock monitor), ``speed`` (GC tuning and the inline executor) and ``preview``
(the text tree and JSON of ``utflytt preview``). Import from :mod:`stacks.testing`.
"""
