// The page's views, mounted once at start in this order (main.js). Each is a file that finds its
// elements, subscribes to the page model (store.js) and draws it; changes go back through
// setPage (store.js) or a verb (actions.js, pagerun.js). A new panel is a new file and one line here.
import { mountActions } from "./actions.js";
import { mountAddress } from "./address.js";
import { busy } from "./busy.js";
import { mountCatchUp } from "./catchup.js";
import { mountCompare } from "./compareview.js";
import { mountDataEditing } from "./dataedit.js";
import { mountDigitLab } from "./digits.js";
import { mountHealth } from "./healthview.js";
import { mountInspector } from "./inspectpanel.js";
import { mountLanguage } from "./language.js";
import { mountLook } from "./look.js";
import { mountNetwork } from "./networkpanel.js";
import { mountNodeMarks } from "./nodemarks.js";
import { changeFields } from "./pagerun.js";
import { mountPlots } from "./plotsview.js";
import { mountQuiz } from "./quiz.js";
import { mountSettings } from "./settingsview.js";
import { mountShape } from "./shape.js";
import { mountShare } from "./share.js";
import { mountStatus } from "./status.js";
import { setPage } from "./store.js";
import { mountTestHook } from "./testhook.js";
import { mountToolbar } from "./toolbar.js";
import { mountTour } from "./tour.js";
import { mountWeightsTable } from "./weightstable.js";
import { mountWhy } from "./why.js";

const $ = (id) => document.getElementById(id);

export function mountViews() {
  mountLook(); // first: the views that redraw for a new look read its colours
  mountActions(); // before the views: they draw with the new stream already asked for
  mountTestHook();
  mountAddress();
  mountToolbar();
  mountSettings();
  mountStatus(setPage);
  mountWeightsTable($("weights-table"));
  mountInspector($("inspector"), busy);
  mountWhy($("why"), { setPage, busy });
  mountHealth($("health-stat"), busy);
  const network = mountNetwork(setPage);
  mountCompare();
  mountShape($("shape"), $("network"), network, (hidden) => changeFields({ hidden })); // after the network: its layout places them
  mountNodeMarks($("network-marks"), $("btn-pictures"), network, setPage);
  mountDigitLab($("digit-lab"), $("probe-chip"), network, busy);
  mountQuiz($("coach"), $("btn-quiz"), { setPage, busy });
  mountTour($("tour"), $("btn-tour"), { setPage, busy });
  mountCatchUp();
  mountPlots();
  mountDataEditing();
  mountShare();
  mountLanguage(); // last: translates the words of the page the views have built
}
