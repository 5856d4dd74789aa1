"""orbits: offline satellite pass predictions and maps for Pakistan.

The library flows one way: element sets (:mod:`orbits.tle`,
:mod:`orbits.elements`) -> positions (:mod:`orbits.positions`) -> events
(:mod:`orbits.passes`) -> presentation (:mod:`orbits.report`).  Importing
``orbits`` loads nothing else; import the submodule you need.
"""

__version__ = "0.1.0"
