// Records every CSP violation on the page where the end-to-end run can read it, then signs
// in the demo user the way demo.js does.
const violations = document.getElementById("violations");
document.addEventListener("securitypolicyviolation", (event) => {
  const item = document.createElement("li");
  item.textContent = `${event.violatedDirective} ${event.blockedURI}`;
  violations.append(item);
});

const response = await fetch("/api/dev/session");
const session = await response.json();
document.getElementById("support").sessionToken = session.token;
