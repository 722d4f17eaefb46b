"""The top layer: the ``utflytt`` command line (:mod:`app.cli`) and the pipeline that runs the
stages in order (:mod:`app.pipeline`). Nothing below imports it; click lives only here."""
