# eddy's Python runtime shim: speaks the Lambda Runtime API
# (AWS_LAMBDA_RUNTIME_API) for one handler, as AWS's runtime does: logger
# lines "[LEVEL]\t<iso>Z\t<requestId>\t<msg>", unhandled errors
# "[ERROR] Type: msg\rTraceback...". Written by eddy; do not edit.
import importlib, json, logging, os, sys, time, traceback, urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
REQUEST_ID = ""


def post(path, body, headers=None):
    req = urllib.request.Request(API + path, data=body, method="POST", headers=headers or {})
    urllib.request.urlopen(req).read()


def error_body(e):
    tb = traceback.format_exception(type(e), e, e.__traceback__)
    return {"errorMessage": str(e), "errorType": type(e).__name__,
            "stackTrace": [l for l in "".join(tb[1:-1]).split("\n") if l]}, tb


def log_error(e):
    body, tb = error_body(e)
    lines = "".join(tb).rstrip("\n").replace("\n", "\r")
    sys.stdout.write("[ERROR] " + body["errorType"] + ": " + body["errorMessage"] + "\r" + lines + "\n")
    sys.stdout.flush()
    return body


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = REQUEST_ID
        return True


class Formatter(logging.Formatter):
    def formatTime(self, record, datefmt=None):
        t = time.gmtime(record.created)
        return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%03dZ" % record.msecs

    def format(self, record):
        return super().format(record).replace("\n", "\r")


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(Formatter("[%(levelname)s]\t%(asctime)s\t%(aws_request_id)s\t%(message)s"))
handler.addFilter(RequestIdFilter())
root = logging.getLogger()
root.handlers = [handler]
level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
if level:
    root.setLevel(level.upper().replace("TRACE", "DEBUG").replace("FATAL", "CRITICAL"))


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id", "")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn", "")
        self._deadline = int(headers.get("lambda-runtime-deadline-ms", "0"))
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline - int(time.time() * 1000))


def main():
    global REQUEST_ID
    task = os.environ.get("LAMBDA_TASK_ROOT", ".")
    sys.path.insert(0, task)
    spec = os.environ.get("_HANDLER", "")
    try:
        module_name, fn_name = spec.rsplit(".", 1)
    except ValueError:
        body = {"errorMessage": "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec,
                "errorType": "Runtime.MalformedHandlerName", "stackTrace": []}
        sys.stdout.write("[ERROR] Runtime.MalformedHandlerName: " + body["errorMessage"] + "\n")
        post("/init/error", json.dumps(body).encode(), {"Lambda-Runtime-Function-Error-Type": body["errorType"]})
        sys.exit(1)
    try:
        module = importlib.import_module(module_name.replace("/", "."))
        fn = getattr(module, fn_name)
    except Exception as e:
        kind = "Runtime.HandlerNotFound" if isinstance(e, AttributeError) else "Runtime.ImportModuleError"
        msg = ("Handler '%s' missing on module '%s'" % (fn_name, module_name)) if kind == "Runtime.HandlerNotFound" \
            else "Unable to import module '%s': %s" % (module_name, e)
        body = {"errorMessage": msg, "errorType": kind, "stackTrace": []}
        sys.stdout.write("[ERROR] " + kind + ": " + msg + "\n")
        sys.stdout.flush()
        post("/init/error", json.dumps(body).encode(), {"Lambda-Runtime-Function-Error-Type": kind})
        sys.exit(1)
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as r:
            # Case-insensitive: HTTP/1.1 servers may send header names in lower case.
            headers = {k.lower(): v for k, v in r.headers.items()}
            payload = r.read()
        ctx = Context(headers)
        REQUEST_ID = ctx.aws_request_id
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
        try:
            event = json.loads(payload) if payload else None
            result = fn(event, ctx)
            out = json.dumps(result).encode()
        except Exception as e:
            body = log_error(e)
            post("/invocation/" + REQUEST_ID + "/error", json.dumps(body).encode(),
                 {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        post("/invocation/" + REQUEST_ID + "/response", out)


main()
