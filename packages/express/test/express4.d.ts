// `express4` is an npm alias of express@4, installed to run the same tests against both majors.
// @types/express 5 describes it closely enough for the calls the tests make.
declare module 'express4' {
  import express = require('express');
  export = express;
}
