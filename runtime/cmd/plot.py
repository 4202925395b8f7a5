"""`gort plot LOG -o run.png`: lock wait over virtual time per lock kind, and heap in use over time."""

from runtime.analysis.output import writing
from runtime.errors import UserError


def add_arguments(parser):
    parser.add_argument("log", metavar="LOG", help="a run log (JSON lines)")
    parser.add_argument("-o", "--output", default="run.png", metavar="FILE", help="image to write (default run.png)")


def run(args):
    from runtime.analysis.plots import plot_run    # matplotlib loads only for this command
    try:
        with writing(args.output):
            kinds = plot_run(args.log, args.output)
    except OSError as err:
        raise UserError(f"cannot write {args.output}: {err.strerror}") from None
    except ValueError as err:     # e.g. an unknown image format in the file name
        raise UserError(f"cannot write {args.output}: {err}") from None
    print(f"wrote {args.output}: lock wait for {', '.join(kinds) or 'no lock'}, heap in use")
    return 0
