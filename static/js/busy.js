// The page's work in flight. Every action and every request a view makes of its own goes through
// busy(): a failure is said in the notice line instead of lost, and the browser tests wait until
// nothing is in flight (window.__bpx.busy, errors: testhook.js).
import { hook } from "./testhook.js";
import { toast } from "./toast.js";

const counts = hook ? Object.assign(hook, { busy: 0, errors: [] }) : { busy: 0, errors: [] };

/** Run `work` (async); its result, or undefined when it failed (and the notice said why). */
export async function busy(work) {
  counts.busy++;
  try {
    return await work();
  } catch (error) {
    toast(error.message);
    counts.errors.push(error.message);
    return undefined;
  } finally {
    counts.busy--;
  }
}
