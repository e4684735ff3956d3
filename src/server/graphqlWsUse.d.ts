// graphql-ws publishes its ws adapter only through package `exports`, which the project's
// `moduleResolution: node` does not read; Node and Jest do at run time. This names its types.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
