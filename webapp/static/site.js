// Site-wide behaviour: the language switcher submits on change (a button does it without JS).
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  if (event.target && event.target.id === "lang-switch") event.target.form.submit();
});
