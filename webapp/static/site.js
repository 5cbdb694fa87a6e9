// Site-wide behaviour. The language menu is a form with a submit button: choosing with the arrow
// keys only moves the choice, so a keyboard user can reach every language before switching.
document.documentElement.classList.add("js");
