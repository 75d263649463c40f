// eddy's Node.js runtime shim: speaks the Lambda Runtime API
// (AWS_LAMBDA_RUNTIME_API) for one handler, with AWS's text log format
// "<iso>\t<requestId>\t<LEVEL>\t<msg>". Written by eddy; do not edit.
import http from "node:http";
import path from "node:path";
import fs from "node:fs";
import util from "node:util";
import { pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const base = "/2018-06-01/runtime";
let requestId = "";

function call(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: base + p, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"]]) {
  console[name] = (...args) => {
    const msg = util.format(...args).replace(/\n/g, "\r");
    process.stdout.write(`${new Date().toISOString()}\t${requestId}\t${level}\t${msg}\n`);
  };
}

function errorBody(e) {
  const err = e instanceof Error ? e : new Error(String(e));
  return { errorType: err.name || "Error", errorMessage: err.message, trace: (err.stack || "").split("\n") };
}

async function load() {
  const root = process.env.LAMBDA_TASK_ROOT;
  const spec = process.env._HANDLER || "";
  const dot = spec.lastIndexOf(".");
  const modName = spec.slice(0, dot), fnName = spec.slice(dot + 1);
  let file = null;
  for (const ext of [".js", ".mjs", ".cjs"]) {
    if (fs.existsSync(path.join(root, modName + ext))) { file = path.join(root, modName + ext); break; }
  }
  if (!file) throw Object.assign(new Error(`Cannot find module '${modName}'`), { name: "Runtime.ImportModuleError" });
  const mod = await import(pathToFileURL(file).href);
  const fn = mod[fnName] ?? mod.default?.[fnName];
  if (typeof fn !== "function") throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  return fn;
}

async function main() {
  let fn;
  try {
    fn = await load();
  } catch (e) {
    const b = errorBody(e);
    process.stdout.write(`${new Date().toISOString()}\tundefined\tERROR\tInit Error \t${JSON.stringify(b)}\n`);
    await call("POST", "/init/error", JSON.stringify(b), { "Lambda-Runtime-Function-Error-Type": b.errorType });
    process.exit(1);
  }
  for (;;) {
    const next = await call("GET", "/invocation/next");
    requestId = next.headers["lambda-runtime-aws-request-id"];
    const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
    const context = {
      awsRequestId: requestId,
      invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const event = next.body ? JSON.parse(next.body) : null;
      const result = await new Promise((resolve, reject) => {
        const r = fn(event, context, (err, value) => (err ? reject(err) : resolve(value)));
        if (r && typeof r.then === "function") r.then(resolve, reject);
        else if (fn.length < 3) resolve(r);
      });
      await call("POST", `/invocation/${requestId}/response`, JSON.stringify(result ?? null));
    } catch (e) {
      const b = errorBody(e);
      process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(b)}\n`);
      await call("POST", `/invocation/${requestId}/error`, JSON.stringify(b), { "Lambda-Runtime-Function-Error-Type": "Unhandled" });
    }
  }
}

main();
