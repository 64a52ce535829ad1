"""Playing a Timeline live: the clock, the player, and its inputs and outputs.

The player only keeps time and decides what happens when; what a person sees (``screen``), hears
(``sound``) and presses (``keys``) are separate pieces plugged into it, so a test can run a whole
session on a fake clock with a recording sink in milliseconds.
"""
