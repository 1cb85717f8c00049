module github.com/pixerve/pixerve/clients/go

go 1.19
