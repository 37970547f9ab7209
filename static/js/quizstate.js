// The quiz's place in the URL and its score: quiz=<from>-<to>[.<right>.<asked>.<streak>].
// A teacher's link "these five steps of XOR as a quiz" is ?preset=xor&step=0&quiz=0-5.

export const MAX_QUIZ_STEPS = 100;

/** {from, to, right, asked, streak} from the URL's text, or null when it is not a quiz. */
export function parseQuiz(text) {
  const m = /^(\d{1,7})-(\d{1,7})(?:\.(\d{1,5})\.(\d{1,5})\.(\d{1,5}))?$/.exec(text ?? "");
  if (!m) return null;
  const [from, to, right, asked, streak] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  if (to <= from || to - from > MAX_QUIZ_STEPS || right > asked || streak > right) return null;
  return { from, to, right, asked, streak };
}

export function formatQuiz(quiz) {
  if (!quiz) return "";
  const score = quiz.asked ? `.${quiz.right}.${quiz.asked}.${quiz.streak}` : "";
  return `${quiz.from}-${quiz.to}${score}`;
}

/** The quiz after one more answer. */
export function scored(quiz, right) {
  return { ...quiz, right: quiz.right + (right ? 1 : 0), asked: quiz.asked + 1, streak: right ? quiz.streak + 1 : 0 };
}

/** The phase the next question is about, given the phase shown ("ready": nothing of this step yet),
 * or null when the quiz is over. */
export function nextPhase(list, phase, step, quiz) {
  if (step >= quiz.to) return null;
  const at = list.indexOf(phase);
  return at + 1 < list.length ? list[at + 1] : null;
}
