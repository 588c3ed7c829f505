"""Pure text and vote analysis for Zhongyi: segmentation, themes, opinion groups.

This package imports nothing from flask, sqlalchemy, deliberation or app: it takes texts and
vote matrices in and gives plain results out, so it can run from the web app, a worker or a CLI.
"""
